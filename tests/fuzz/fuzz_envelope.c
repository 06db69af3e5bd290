/*
 * fuzz_envelope.c: libFuzzer target for everything the client reads from Loket's JSON answers:
 * the envelope (version, messages, content, _embedded, paging), metadata in its tolerated
 * shapes, defaults and period-data records, and the redaction of trace text. The first byte
 * picks the status and content type, the rest is the body.
 */
#include "loket/api.h"
#include "loket/envelope.h"
#include "loket/trace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = { 200, 201, 400, 401, 403, 404, 409, 500 };
    lk_envelope *env = NULL;
    lk_error err;
    const char *body;
    char *redacted;
    long status;
    const char *ct;
    if (size < 1)
        return 0;
    status = statuses[data[0] & 7];
    ct = (data[0] & 8) ? "text/plain" : "application/json;version=2018-01-01";
    body = (const char *)data + 1;
    size--;
    lk_error_clear(&err);
    if (lk_envelope_parse(body, size, ct, status, &env, &err) == LK_OK) {
        char summary[256];
        lk_metadata *md = NULL;
        lk_envelope_summary(env, summary, sizeof summary);
        if (lk_metadata_parse(env, &md, &err) == LK_OK) {
            lk_metadata_option(md, "costCenter", "1");
            lk_metadata_option(md, "shift", "PROD");
            lk_metadata_free(md);
        }
        {
            lk_period_data_record rec;
            const cJSON *obj = env->content ? env->content : env->root;
            if (obj && lk_period_data_record_parse(obj, &rec, &err) == LK_OK)
                lk_period_data_record_clear(&rec);
        }
        if (env->embedded) {
            const cJSON *it;
            cJSON_ArrayForEach(it, env->embedded) {
                lk_period_data_record rec;
                lk_meta_ref ref;
                if (lk_period_data_record_parse(it, &rec, &err) == LK_OK)
                    lk_period_data_record_clear(&rec);
                lk_meta_ref_parse(it, NULL, &ref);
                lk_meta_ref_free(&ref);
            }
        }
        lk_envelope_free(env);
    }
    redacted = lk_redact(NULL, body, size);
    free(redacted);
    return 0;
}
