/*
 * neterror.c: turns a failed connection (a CURLcode) into a sentence a payroll clerk can act
 * on: what went wrong, with which server, and what to check (the URL, whether the server runs
 * and can be reached, the CA bundle).
 */
#include "loket/neterror.h"

#include "common/error.h"
#include "common/i18n.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

/* "host:port" of a URL, or the URL itself when it has no "//". */
static void url_host(const char *url, char *buf, size_t size)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/?#");
    snprintf(buf, size, "%.*s", (int)n, p);
}

const char *lk_net_failure_text(const char *method, const char *url, int attempts, int curl_code,
                                const char *detail)
{
    static _Thread_local char text[LK_ERROR_MSG_MAX];
    char host[128], what[256];
    const char *advice;
    url_host(url, host, sizeof host);
    switch ((CURLcode)curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
        snprintf(what, sizeof what, _("the server name %s is not known"), host);
        advice = _("check that the URL is right (apiUrl and tokenUrl in the configuration, or "
                   "--api-url) and that this computer can look up names (DNS, network)");
        break;
    case CURLE_COULDNT_RESOLVE_PROXY:
        snprintf(what, sizeof what, _("the proxy server's name is not known"));
        advice = _("check the proxy settings (https_proxy, http_proxy)");
        break;
    case CURLE_COULDNT_CONNECT:
        snprintf(what, sizeof what, _("%s refused the connection or cannot be reached"), host);
        advice = _("check that the URL is right (apiUrl and tokenUrl in the configuration, or "
                   "--api-url) and that the server is running and reachable from this computer");
        break;
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(what, sizeof what, _("%s did not answer in time"), host);
        advice = _("check that the server is reachable from this computer (network, firewall, "
                   "proxy); try again later if it is busy");
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        snprintf(what, sizeof what, _("the secure connection (TLS) to %s failed"), host);
        advice = _("check the URL (https:// and the right server); a server with a certificate "
                   "of your own CA needs --cacert or cacert in the configuration");
        break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        snprintf(what, sizeof what, _("the connection to %s broke off"), host);
        advice = _("try again; if it keeps happening, check the network or proxy between this "
                   "computer and the server");
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        snprintf(what, sizeof what, _("this is not a URL the program can use"));
        advice = _("a URL starts with https:// (or http:// for a loket-sim on this computer)");
        break;
    default:
        snprintf(what, sizeof what, _("the connection to %s failed (%.120s)"), host,
                 detail ? detail : curl_easy_strerror((CURLcode)curl_code));
        advice = _("check the URL and the network, then try again");
        break;
    }
    snprintf(text, sizeof text,
             ngettext("%s %s: no connection after %d attempt: %s. What to do: %s.",
                      "%s %s: no connection after %d attempts: %s. What to do: %s.", attempts),
             method, url, attempts, what, advice);
    return text;
}
