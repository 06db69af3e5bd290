/*
 * server.c: loket-sim's HTTP side on libmicrohttpd: a thread per connection (so injected latency
 * in one request never holds up the others; hundreds of parallel connections), loopback only.
 * It gathers one request (headers, query, body capped at max_body, form fields for /token),
 * hands it to sim_handle() and writes the answer, or closes the connection when told to drop.
 */
#include "sim/sim.h"

#include "common/strbuf.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct sim_server {
    sim *sim;
    struct MHD_Daemon *daemon;
    int port;
    size_t max_body;
};

typedef struct form_field {
    char *key;
    strbuf value;
} form_field;

typedef struct conn_state {
    strbuf body;
    bool too_large;
    size_t discarded;
    struct MHD_PostProcessor *pp;
    form_field *fields;
    size_t nfields, fields_alloc;
} conn_state;

typedef struct kv_list {
    sim_kv *kv;
    size_t n, alloc;
} kv_list;

static enum MHD_Result form_iterator(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                     const char *content_type, const char *transfer_encoding, const char *data,
                                     uint64_t off, size_t size)
{
    conn_state *cs = cls;
    form_field *f = NULL;
    for (size_t i = 0; i < cs->nfields; i++)
        if (!strcmp(cs->fields[i].key, key))
            f = &cs->fields[i];
    if (!f) {
        if (cs->nfields >= 32) /* a token request has a handful of fields */
            return MHD_NO;
        lk_grow(&cs->fields, sizeof *cs->fields, cs->nfields + 1, &cs->fields_alloc);
        f = &cs->fields[cs->nfields++];
        f->key = xstrdup(key);
        strbuf_init(&f->value, 64);
    }
    if (off == 0)
        strbuf_reset(&f->value);
    if (f->value.len + size > 8192)
        return MHD_NO;
    strbuf_add(&f->value, data, size);
    return MHD_YES;
}

static enum MHD_Result collect_kv(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    kv_list *l = cls;
    if (l->n >= 100)
        return MHD_NO;
    lk_grow(&l->kv, sizeof *l->kv, l->n + 1, &l->alloc);
    l->kv[l->n].key = key;
    l->kv[l->n].value = value ? value : "";
    l->n++;
    return MHD_YES;
}

static void completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    conn_state *cs = *con_cls;
    if (!cs)
        return;
    if (cs->pp)
        MHD_destroy_post_processor(cs->pp);
    for (size_t i = 0; i < cs->nfields; i++) {
        free(cs->fields[i].key);
        strbuf_free(&cs->fields[i].value);
    }
    free(cs->fields);
    strbuf_free(&cs->body);
    free(cs);
    *con_cls = NULL;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    sim_server *srv = cls;
    conn_state *cs = *con_cls;
    sim_request req;
    sim_response resp;
    kv_list query = { NULL, 0, 0 };
    sim_kv *form = NULL;
    char *basic_user = NULL, *basic_pass = NULL;
    struct MHD_Response *r;
    enum MHD_Result ret;

    if (!cs) {
        cs = xcalloc(1, sizeof *cs);
        strbuf_init(&cs->body, 0);
        if (!strcmp(url, "/token") && !strcmp(method, "POST"))
            cs->pp = MHD_create_post_processor(connection, 4096, form_iterator, cs);
        *con_cls = cs;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (cs->too_large || cs->body.len + *upload_data_size > srv->max_body) {
            cs->too_large = true;
            strbuf_reset(&cs->body);
            /* read and discard up to 16x the cap so the client gets its 413; beyond that, hang up */
            cs->discarded += *upload_data_size;
            if (cs->discarded > 16 * srv->max_body)
                return MHD_NO;
        } else {
            strbuf_add(&cs->body, upload_data, *upload_data_size);
            if (cs->pp && MHD_post_process(cs->pp, upload_data, *upload_data_size) != MHD_YES) {
                MHD_destroy_post_processor(cs->pp);
                cs->pp = NULL;
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }

    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = url;
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_kv, &query);
    req.query = query.kv;
    req.nquery = query.n;
    req.authorization = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    req.accept = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    req.content_type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    req.if_match = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MATCH);
    req.body = cs->body.buf;
    req.body_len = cs->body.len;
    req.body_too_large = cs->too_large;
    if (cs->nfields && !cs->too_large) {
        form = xcalloc(cs->nfields, sizeof *form);
        for (size_t i = 0; i < cs->nfields; i++) {
            form[i].key = cs->fields[i].key;
            form[i].value = cs->fields[i].value.buf;
        }
        req.form = form;
        req.nform = cs->nfields;
    }
    if (!strcmp(url, "/token") && req.authorization && !strncasecmp(req.authorization, "Basic ", 6)) {
        basic_user = MHD_basic_auth_get_username_password(connection, &basic_pass);
        req.basic_user = basic_user;
        req.basic_password = basic_pass ? basic_pass : "";
    }

    sim_handle(srv->sim, &req, &resp);
    free(query.kv);
    free(form);
    if (basic_user)
        MHD_free(basic_user);
    if (basic_pass)
        MHD_free(basic_pass);
    if (resp.drop) {
        sim_response_clear(&resp);
        return MHD_NO; /* libmicrohttpd closes the connection without an answer */
    }
    r = MHD_create_response_from_buffer(resp.body_len, resp.body, MHD_RESPMEM_MUST_FREE);
    resp.body = NULL; /* libmicrohttpd frees it now */
    if (!r) {
        sim_response_clear(&resp);
        return MHD_NO;
    }
    if (resp.content_type[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp.content_type);
    if (resp.retry_after > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", resp.retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    if (resp.www_authenticate)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
    if (resp.etag[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, resp.etag);
    if (resp.allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp.allow);
    MHD_add_response_header(r, MHD_HTTP_HEADER_EXPIRES, "-1");
    ret = MHD_queue_response(connection, (unsigned)resp.status, r);
    MHD_destroy_response(r);
    sim_response_clear(&resp);
    return ret;
}

sim_server *sim_server_start(sim *s, int port, size_t max_body, char *err, size_t errlen)
{
    sim_server *srv = xcalloc(1, sizeof *srv);
    struct sockaddr_in addr;
    const union MHD_DaemonInfo *info;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv->sim = s;
    srv->max_body = max_body;
    srv->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL,
                                   0, NULL, NULL, answer, srv,
                                   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                   MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                                   MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)512,
                                   MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                                   MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%d", port);
        free(srv);
        return NULL;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : port;
    return srv;
}

int sim_server_port(const sim_server *srv)
{
    return srv->port;
}

void sim_server_stop(sim_server *srv)
{
    if (!srv)
        return;
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
