/*
 * neterror.h: a connection that failed, said in the reader's words with what to check, instead
 * of the HTTP library's own English (which the trace keeps).
 */
#ifndef LK_NETERROR_H
#define LK_NETERROR_H

/*
 * "GET URL: no connection to HOST after 3 attempts: HOST refused the connection or cannot be
 * reached. Check ..." for curl_code (a CURLcode); detail (curl's text) is shown only for a code
 * this file has no words for. The text lives in a buffer of this thread, valid until the next
 * call.
 */
const char *lk_net_failure_text(const char *method, const char *url, int attempts, int curl_code,
                                const char *detail);

#endif
