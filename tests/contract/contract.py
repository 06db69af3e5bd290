#!/usr/bin/python3
"""contract.py: loket-sim against Loket's official OpenAPI slice (loket-payroll-api.json).

For every operation of the slice the simulator serves it checks that
  * the answer's status is one the document lists, its Content-Type one of the documented
    content types, and its body validates against the documented response schema;
  * requests the official schemas reject (request bodies mutated field by field: wrong types,
    null where not nullable, too long, below minimum / above maximum, pattern violations; query
    and path parameters of the wrong type; no Authorization; no Accept) are rejected (4xx),
    and the unmutated request is accepted;
and it checks the endpoints outside the slice (defaults, metadata) for the envelope.

Validator: python3-jsonschema (Debian), Draft 4, after turning the OpenAPI 3.0 dialect into JSON
Schema: `nullable: true` adds "null" to the type; the uuid patterns, which list only upper-case
hex digits while every example is lower case, also accept lower case; `format` is not checked.
readOnly properties are not mutated in requests: OpenAPI lets a server ignore them there.

usage: contract.py SPEC API_BASE_URL FIXTURE ACCESS_TOKEN
"""
import copy
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import jsonschema

V18 = "2018-01-01"
V19 = "2019-12-16"

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# ----------------------------------------------------------------------- OpenAPI -> JSON Schema

def to_json_schema(s):
    if isinstance(s, list):
        return [to_json_schema(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k in ("nullable", "example", "examples", "format", "description", "readOnly", "writeOnly"):
            continue
        if k == "properties":
            out[k] = {pk: to_json_schema(pv) for pk, pv in v.items()}
        elif k == "pattern" and "0-9A-F" in v:
            out[k] = v.replace("0-9A-F", "0-9A-Fa-f")
        else:
            out[k] = to_json_schema(v)
    if s.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else out["type"] + ["null"]
        if "enum" in out:
            out["enum"] = out["enum"] + [None]
    # "minimum" on an object or array schema is noise in the document; harmless for Draft 4
    return out


def validator(schema):
    return jsonschema.Draft4Validator(to_json_schema(schema))


# ----------------------------------------------------------------------- HTTP

class Api:
    def __init__(self, base, token):
        self.base = base
        self.token = token

    def call(self, method, path, version=V18, body=None, query=None, token=True, accept=True, raw_body=None,
             headers=None):
        url = path if path.startswith("http") else self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = dict(headers or {})
        if accept and version:
            headers["Accept"] = "application/json;version=" + version
        if token:
            headers["Authorization"] = "Bearer " + (token if isinstance(token, str) else self.token)
        data = None
        if body is not None or raw_body is not None:
            data = raw_body if raw_body is not None else json.dumps(body).encode()
            headers["Content-Type"] = "application/json;version=" + (version or V18)
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, ctype, text = r.status, r.headers.get("Content-Type", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            status, ctype, text = e.code, e.headers.get("Content-Type", ""), e.read().decode()
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        return status, ctype, doc, text


# ----------------------------------------------------------------------- checks

def media(ct):
    parts = [p.strip().lower() for p in ct.split(";")]
    version = next((p.split("=", 1)[1] for p in parts[1:] if p.startswith("version=")), None)
    return parts[0], version


def check_response(spec_op, name, status, ctype, doc, text):
    responses = spec_op["responses"]
    check(str(status) in responses, "%s: status %d is not documented (%s)" % (name, status, text[:200]))
    if str(status) not in responses:
        return
    content = responses[str(status)].get("content")
    if not content:
        return
    got_type, got_version = media(ctype)
    ok_type = False
    for key in content:
        t, v = media(key)
        ok_type |= t == got_type and (v is None or v == got_version)
    check(ok_type, "%s: Content-Type %r is not one of %s" % (name, ctype, list(content)))
    for key, c in content.items():
        schema = c.get("schema")
        if not schema:
            continue
        check(doc is not None, "%s: body is not JSON: %r" % (name, text[:200]))
        if doc is None:
            return
        errors = sorted(validator(schema).iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:5]:
            check(False, "%s: response does not match the schema at %s: %s" %
                  (name, "/".join(str(p) for p in e.path), e.message[:300]))
        if not errors:
            check(True, name)
        break


def check_envelope(name, doc, listing):
    check(isinstance(doc, dict), "%s: not a JSON object" % name)
    if not isinstance(doc, dict):
        return
    check(isinstance(doc.get("version"), dict) and "resourceVersion" in doc["version"] and
          "obsoleteDate" in doc["version"], "%s: version object" % name)
    check(isinstance(doc.get("messages"), list), "%s: messages list" % name)
    if listing:
        for k in ("totalSize", "pageSize", "totalPages", "currentPage"):
            check(isinstance(doc.get(k), int), "%s: %s" % (name, k))
        check(isinstance(doc.get("_embedded"), list), "%s: _embedded list" % name)
    else:
        check("content" in doc, "%s: content" % name)


# ----------------------------------------------------------------------- request mutations

WRONG = {"integer": ["x", 1.5, True], "number": ["x", True], "string": [5, True], "boolean": ["yes", 1],
         "object": [5, "x", []], "array": [{}, 5]}


def mutations(schema, value, path=()):
    """(description, mutate(body)) pairs that break the schema at writable properties."""
    out = []
    t = schema.get("type")
    if schema.get("readOnly"):
        return out
    if t in WRONG:
        for w in WRONG[t]:
            out.append(("%s = %r" % (".".join(map(str, path)) or "body", w), path, w))
    if path and schema.get("nullable") is not True:
        out.append(("%s = null" % ".".join(map(str, path)), path, None))
    if t == "string" and "maxLength" in schema:
        out.append(("%s too long" % ".".join(map(str, path)), path, "x" * (schema["maxLength"] + 1)))
    if t == "string" and "pattern" in schema:
        out.append(("%s breaks its pattern" % ".".join(map(str, path)), path, "not-a-uuid"))
    if t == "integer" and "minimum" in schema:
        out.append(("%s below minimum" % ".".join(map(str, path)), path, schema["minimum"] - 1))
    if t == "integer" and "maximum" in schema:
        out.append(("%s above maximum" % ".".join(map(str, path)), path, schema["maximum"] + 1))
    if "properties" in schema and isinstance(value, dict):
        for k, sub in schema["properties"].items():
            if k in value:
                out += mutations(sub, value[k], path + (k,))
    if t == "array" and isinstance(value, list) and value and "items" in schema:
        out += mutations(schema["items"], value[0], path + (0,))
    return out


def apply(body, path, new):
    body = copy.deepcopy(body)
    if not path:
        return new
    cur = body
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = new
    return body


def request_contract(api, name, method, path, schema, base, good_status, wrap=None, op=None):
    """The unmutated body passes the schema and is accepted; each mutation fails the schema and is
    rejected with 400, whose answer (when op is given) matches the operation's 400 schema."""
    v = validator(schema)
    errs = list(v.iter_errors(base))
    check(not errs, "%s: the test's own valid body fails the schema: %s" % (name, errs[:1]))
    status, _, doc, text = api.call(method, path, body=wrap(base) if wrap else base)
    check(status == good_status, "%s: valid body answered %d, expected %d: %s" % (name, status, good_status, text[:300]))
    n = 0
    for what, mpath, new in mutations(schema, base):
        bad = apply(base, mpath, new)
        if v.is_valid(bad):
            continue  # not a violation after all (e.g. an untyped property)
        n += 1
        status, ctype, doc, text = api.call(method, path, body=wrap(bad) if wrap else bad)
        check(status == 400, "%s: schema-invalid request (%s) answered %d: %s" % (name, what, status, text[:200]))
        if op is not None:
            check_response(op, "%s (%s)" % (name, what), status, ctype, doc, text)
        if status == 400 and isinstance(doc, dict):
            check(any(m.get("type") == "BrokenBusinessRule" for m in doc.get("messages", [])),
                  "%s (%s): 400 without a BrokenBusinessRule message" % (name, what))
    check(n >= 10, "%s: only %d schema violations generated" % (name, n))
    print("  %s: %d schema-invalid variants rejected" % (name, n))


def rejected(api, ops, op_id, name, method, path, body, status_want, code=None, headers=None, token=True):
    """One write Loket refuses: the documented status, the operation's schema for it (an object in
    "content", never null), a message of the right kind and code."""
    status, ctype, doc, text = api.call(method, path, body=body, headers=headers, token=token)
    check(status == status_want, "%s: answered %d, expected %d: %s" % (name, status, status_want, text[:200]))
    check_response(ops[op_id][2], name, status, ctype, doc, text)
    if status_want in (400, 409) and isinstance(doc, dict):
        check(isinstance(doc.get("content"), dict), "%s: content is %r, the document has an object" %
              (name, doc.get("content")))
        kind = "ConcurrencyViolation" if status_want == 409 else "BrokenBusinessRule"
        check(any(m.get("type") == kind for m in doc.get("messages", [])), "%s: no %s message" % (name, kind))
        if code is not None:
            check(any(m.get("code") == code for m in doc.get("messages", [])),
                  "%s: no message with code %d: %s" % (name, code, text[:200]))


def error_answers(api, ops, fixture, vdb, hidden_empl, e1005, e1006):
    """The error answers of every write endpoint against the operation's schema for that status."""
    ppd = "/providers/employers/employees/employments/%s/payrollperioddata"
    by_id = "/providers/employers/employees/employments/payrollperioddata/%s"
    p11 = {"year": 2026, "periodNumber": 11}
    comp = lambda key, value: [{"payrollComponent": {"key": key}, "value": value}]
    # the fixture's record in a closed period (2026/10 of the monthly administration)
    closed = next(r for r in fixture["payrollPeriodData"] if r["payrollPeriod"] == {"year": 2026, "periodNumber": 10})
    patch = "PatchPayrollPeriodDataByEmploymentId"
    rejected(api, ops, patch, "PATCH in a closed period", "PATCH", ppd % closed["employmentId"],
             {"payrollPeriod": {"year": 2026, "periodNumber": 10}, "payrollComponents": comp(10, 1)}, 400, 1003)
    rejected(api, ops, patch, "PATCH of an unknown component", "PATCH", ppd % e1005["id"],
             {"payrollPeriod": p11, "payrollComponents": comp(999, 1)}, 400, 1004)
    rejected(api, ops, patch, "PATCH with too many decimals", "PATCH", ppd % e1005["id"],
             {"payrollPeriod": p11, "payrollComponents": comp(10, 1.234)}, 400, 1008)
    rejected(api, ops, patch, "PATCH of a hidden employer's employment", "PATCH", ppd % hidden_empl["id"],
             {"payrollPeriod": p11, "payrollComponents": comp(10, 1)}, 403)
    rejected(api, ops, patch, "PATCH without a token", "PATCH", ppd % e1005["id"], None, 401,
             token=False)
    post = "PostPayrollPeriodDataByEmploymentId"
    first = {"payrollPeriod": p11, "payslipType": {"key": 2}, "payrollComponents": comp(10, 2)}
    status, _, _, text = api.call("POST", ppd % e1006["id"], body=first)
    check(status == 201, "POST of a fresh key answered %d: %s" % (status, text[:200]))
    rejected(api, ops, post, "POST onto an existing key", "POST", ppd % e1006["id"], first, 400, 1011)
    rejected(api, ops, post, "POST in a closed period", "POST", ppd % closed["employmentId"],
             {"payrollPeriod": {"year": 2026, "periodNumber": 10}, "shift": {"shiftNumber": 2},
              "payrollComponents": comp(10, 1)}, 400, 1003)
    put = "PutPayrollPeriodDataByPayrollPeriodDataId"
    open_rec = next(r for r in fixture["payrollPeriodData"] if r["payrollPeriod"] == p11)
    status, _, _, _ = api.call("GET", by_id % open_rec["id"])
    check(status == 200, "GET of the record to PUT answered %d" % status)
    rejected(api, ops, put, "PUT with a stale If-Match", "PUT", by_id % open_rec["id"],
             {"payrollComponents": comp(10, 3)}, 409, 4009, headers={"If-Match": '"999999"'})
    rejected(api, ops, put, "PUT in a closed period", "PUT", by_id % closed["id"],
             {"payrollComponents": comp(10, 3)}, 400, 1003)
    rejected(api, ops, put, "PUT with too many decimals", "PUT", by_id % open_rec["id"],
             {"payrollComponents": comp(10, 0.001)}, 400, 1008)
    coll = "PatchCollectivePayrollPeriodDataByEmployerId"
    cpath = "/providers/employers/%s/payrollperioddata" % vdb["id"]
    rejected(api, ops, coll, "collective PATCH in which every item fails", "PATCH", cpath,
             [{"employmentId": e1005["id"], "payrollPeriod": p11, "payrollComponents": comp(999, 1)},
              {"employmentId": closed["employmentId"], "payrollPeriod": {"year": 2026, "periodNumber": 10},
               "payrollComponents": comp(10, 1)}], 400, 1004)
    rejected(api, ops, coll, "collective PATCH of an unknown employment", "PATCH", cpath,
             [{"employmentId": "00000000-0000-4000-8000-000000000000", "payrollPeriod": p11,
               "payrollComponents": comp(10, 1)}], 400, 1016)
    rejected(api, ops, coll, "collective PATCH with an object body", "PATCH", cpath, {"not": "an array"}, 400, 1013)
    delete = "DeletePayrollPeriodDataByPayrollPeriodDataId"
    rejected(api, ops, delete, "DELETE in a closed period", "DELETE", by_id % closed["id"], None, 400, 1003)
    rejected(api, ops, delete, "DELETE without a token", "DELETE", by_id % closed["id"], None, 401,
             token=False)
    status, _, _, _ = api.call("GET", by_id % closed["id"])
    check(status == 200, "the closed period's record is gone after a refused DELETE (GET answered %d)" % status)
    print("  error answers of every write: checked")


def defaults_round_trip(api, ops, spec_fixture, visible, hidden):
    """Loket's guidance for a client, for every administration: GET .../defaults, fill in the period
    and values, PATCH it as it is, and the administration-level listing shows the record."""
    ppd = "/providers/employers/employees/employments/%s/payrollperioddata"
    patch_schema = ops["PatchPayrollPeriodDataByEmploymentId"][2]["requestBody"]["content"][
        "application/json;version=2018-01-01"]["schema"]
    v = validator(patch_schema)
    done = 0
    for n, adm in enumerate(spec_fixture["payrollAdministrations"]):
        employments = [e for e in spec_fixture["employments"] if e["payrollAdministration"]["id"] == adm["id"]]
        emp = employments[-1]
        if adm["simEmployerId"] == hidden["id"]:
            status, *_ = api.call("GET", (ppd % emp["id"]) + "/defaults")
            check(status == 403, "defaults of %s (employer not visible) answered %d" % (adm["name"], status))
            continue
        name = "defaults round trip, %s" % adm["name"]
        status, _, periods, _ = api.call("GET", "/providers/employers/payrolladministrations/%s/payrollperiods" % adm["id"],
                                         query={"pageSize": 1000})
        check(status == 200, "%s: periods answered %d" % (name, status))
        target = None
        for p in periods.get("_embedded", []):
            if p["year"] != 2026:
                continue
            status, _, meta, _ = api.call("GET", (ppd % emp["id"]) + "/metadata/year/%d/period/%d" %
                                          (p["year"], p["periodNumber"]))
            if status != 200:
                continue
            fields = {f["field"]: f["options"] for f in meta["_embedded"]}
            period = fields["payrollPeriod"][0]
            if not period["isClosed"] and period["employmentActive"]:
                target, components = p, [o["key"] for o in fields["payrollComponent"]]
                break
        check(target is not None, "%s: no open 2026 period with employee %d active" %
              (name, emp["employee"]["employeeNumber"]))
        if target is None:
            continue
        status, ctype, doc, text = api.call("GET", (ppd % emp["id"]) + "/defaults")
        check(status == 200, "%s: defaults answered %d: %s" % (name, status, text[:200]))
        record = copy.deepcopy(doc["content"])
        value = 7.25 + n  # a value nothing else in the test writes
        key = 10 if 10 in components else components[0]
        record["payrollPeriod"] = {"year": target["year"], "periodNumber": target["periodNumber"]}
        record["payrollComponents"] = [{"payrollComponent": {"key": key}, "value": value}]
        errors = list(v.iter_errors(record))
        check(not errors, "%s: the defaults, completed, break the PATCH request schema: %s" %
              (name, "; ".join("%s: %s" % ("/".join(map(str, e.path)), e.message[:120]) for e in errors[:3])))
        status, ctype, doc, text = api.call("PATCH", ppd % emp["id"], body=record)
        check(status == 200, "%s: PATCH of the completed defaults answered %d: %s" % (name, status, text[:300]))
        listing = "/providers/employers/payrolladministrations/%s/payrollPeriods/%d/payrollperioddata" % (adm["id"], target["id"])
        status, ctype, doc, text = api.call("GET", listing, query={
            "payslipType": record["payslipType"]["key"], "payrollComponentId": key, "pageSize": 1000,
            "filter": "employee.employeeNumber eq %d" % emp["employee"]["employeeNumber"]})
        check(status == 200, "%s: listing answered %d: %s" % (name, status, text[:200]))
        check_response(ops["GetPayrollPeriodDataByPayrollAdministrationIdAndPayrollPeriodId"][2], name + " (listing)",
                       status, ctype, doc, text)
        shown = [line for line in (doc or {}).get("_embedded", [])
                 if line["employment"]["id"] == emp["id"] and
                 (line.get("shift") or {}).get("shiftNumber") == (record.get("shift") or {}).get("shiftNumber") and
                 ((line.get("costCenter") or {}).get("key")) == ((record.get("costCenter") or {}).get("key")) and
                 any(c["payrollComponent"]["key"] == key and c["value"] == value for c in line["payrollComponents"])]
        check(len(shown) == 1, "%s: the listing shows %d lines with %s = %s for employee %d in %d: %s" %
              (name, len(shown), key, value, emp["employee"]["employeeNumber"], target["id"], text[:300]))
        done += len(shown) == 1
    visible_admins = [a for a in spec_fixture["payrollAdministrations"] if a["simEmployerId"] != hidden["id"]]
    check(done == len(visible_admins), "defaults round trip: %d of %d administrations" % (done, len(visible_admins)))
    print("  defaults -> PATCH -> listing: %d administrations" % done)


# ----------------------------------------------------------------------- main

def main():
    if len(sys.argv) != 5:
        print(__doc__)
        sys.exit(2)
    spec = json.load(open(sys.argv[1]))
    api = Api(sys.argv[2], sys.argv[4])
    fixture = json.load(open(sys.argv[3]))
    ops = {}
    for p, item in spec["paths"].items():
        for m, op in item.items():
            if m in ("get", "put", "post", "patch", "delete"):
                ops[op["operationId"]] = (m.upper(), p, op)

    employers = [e for e in fixture["employers"] if e.get("simVisible", True)]
    hidden = [e for e in fixture["employers"] if not e.get("simVisible", True)][0]
    vdb = employers[0]
    admins = [a for a in fixture["payrollAdministrations"] if a["simEmployerId"] == vdb["id"]]
    monthly = admins[0]
    empl = [e for e in fixture["employments"] if e["payrollAdministration"]["id"] == monthly["id"]]
    e1005 = next(e for e in empl if e["employee"]["employeeNumber"] == 1005)
    e1006 = next(e for e in empl if e["employee"]["employeeNumber"] == 1006)
    e1008 = next(e for e in empl if e["employee"]["employeeNumber"] == 1008)
    hidden_empl = next(e for e in fixture["employments"] if e["simEmployerId"] == hidden["id"])
    record = fixture["payrollPeriodData"][1]["id"]
    du = monthly["simMetadata"]["distributionUnit"][0]["key"]
    cset = monthly["simPayrollComponentSets"][0]["id"]
    unknown = "00000000-0000-4000-8000-000000000000"

    # A record to PUT and DELETE (made by PATCH, so it exists whatever the fixture holds).
    st, _, made, _ = api.call("PATCH", "/providers/employers/employees/employments/%s/payrollperioddata" % e1008["id"],
                              body={"payrollPeriod": {"year": 2026, "periodNumber": 12},
                                    "payrollComponents": [{"payrollComponent": {"key": 10}, "value": 8}]})
    check(st == 200, "setup PATCH answered %d" % st)
    put_id = made["content"]["id"] if st == 200 else unknown

    ppd = "/providers/employers/employees/employments/%s/payrollperioddata"
    calls = {
        "GetUserByToken": ("/user", None, V18),
        "GetEmployersByUserId": ("/providers/employers", None, V18),
        "GetEmployersMinimizedByUser": ("/providers/employers/minimized", None, V18),
        "GetPayrollAdministrationsByEmployerId": ("/providers/employers/%s/payrolladministrations" % vdb["id"], None, V18),
        "GetEmploymentsByEmployerId": ("/providers/employers/%s/employees/employments" % vdb["id"], None, V19),
        "GetEmploymentsMinimizedByEmployerId": ("/providers/employers/%s/employees/employments/minimized" % vdb["id"], None, V19),
        "GetEmploymentByEmploymentId": ("/providers/employers/employees/employments/%s" % e1005["id"], None, V19),
        "GetPayrollPeriodsByPayrollAdministrationId": ("/providers/employers/payrolladministrations/%s/payrollperiods" % monthly["id"], None, V18),
        "GetPayrollPeriodsMinimizedByPayrollAdministrationId": ("/providers/employers/payrolladministrations/%s/payrollperiods/minimized" % monthly["id"], None, V18),
        "GetPayrollComponentsByPayrollAdministrationIdAndYear": ("/providers/employers/payrolladministrations/%s/payrollcomponents/year/2026" % monthly["id"], None, V18),
        "GetAvailablePayrollComponentSetsByPayrollAdministrationId": ("/providers/employers/payrolladministrations/%s/availablepayrollcomponentsets" % monthly["id"], None, V18),
        "GetPayrollPeriodDataByEmploymentId": (ppd % fixture["payrollPeriodData"][1]["employmentId"], None, V18),
        "GetPayrollPeriodDataByPayrollPeriodDataId": ("/providers/employers/employees/employments/payrollperioddata/%s" % record, None, V18),
        "GetPayrollPeriodDataByPayrollAdministrationIdAndPayrollPeriodId": (
            "/providers/employers/payrolladministrations/%s/payrollPeriods/202611/payrollperioddata" % monthly["id"],
            {"payslipType": 1, "payrollComponentSet": cset}, V18),
    }

    # ---- every GET of the slice: documented status, content type, schema; and its rejections
    print("responses:")
    for op_id, (path, query, version) in calls.items():
        method, tmpl, op = ops[op_id]
        status, ctype, doc, text = api.call("GET", path, version, query=query)
        check(status == 200, "%s: answered %d: %s" % (op_id, status, text[:200]))
        check_response(op, op_id, status, ctype, doc, text)
        check_envelope(op_id, doc, "_embedded" in (doc or {}))
        # the headers the document requires
        status, ctype, doc, text = api.call("GET", path, version, query=query, token=False)
        check(status == 401, "%s without Authorization answered %d" % (op_id, status))
        check_response(op, op_id + " (no token)", status, ctype, doc, text)
        status, *_ = api.call("GET", path, version, query=query, token="not.a-valid!token")
        check(status == 401, "%s with a malformed bearer token answered %d" % (op_id, status))
        status, *_ = api.call("GET", path, version, query=query, accept=False)
        check(status == 400, "%s without Accept answered %d" % (op_id, status))
        status, *_ = api.call("GET", path, "2017-01-01", query=query)
        check(status == 400, "%s with a version before the resource's answered %d" % (op_id, status))
        # paging parameters of the wrong type
        if any(p["name"] == "pageNumber" for p in op.get("parameters", [])):
            for bad in ({"pageNumber": "x"}, {"pageSize": "abc"}, {"pageNumber": "1.5"}, {"orderBy": "a b"}):
                status, *_ = api.call("GET", path, version, query=dict(query or {}, **bad))
                check(status == 400, "%s with %s answered %d" % (op_id, bad, status))
        print("  %s: ok" % op_id)

    # ---- 403 and 404 on the id-taking endpoints
    for op_id, path, version in [
            ("GetPayrollAdministrationsByEmployerId", "/providers/employers/%s/payrolladministrations", V18),
            ("GetEmploymentsByEmployerId", "/providers/employers/%s/employees/employments", V19)]:
        status, ctype, doc, text = api.call("GET", path % hidden["id"], version)
        check(status == 403, "%s for a hidden employer answered %d" % (op_id, status))
        check_response(ops[op_id][2], op_id + " (403)", status, ctype, doc, text)
        status, *_ = api.call("GET", path % unknown, version)
        check(status == 404, "%s for an unknown employer answered %d" % (op_id, status))
    status, *_ = api.call("GET", "/providers/employers/employees/employments/%s" % hidden_empl["id"], V19)
    check(status == 403, "GetEmploymentByEmploymentId of a hidden employer answered %d" % status)
    status, *_ = api.call("GET", "/providers/employers/employees/employments/payrollperioddata/%s" % unknown)
    check(status == 404, "GetPayrollPeriodDataByPayrollPeriodDataId unknown id answered %d" % status)
    status, *_ = api.call("GET", "/providers/employers/payrolladministrations/%s/payrollcomponents/year/abc" % monthly["id"])
    check(status == 400, "components with a non-integer year answered %d" % status)
    lst = "/providers/employers/payrolladministrations/%s/payrollPeriods/%s/payrollperioddata"
    status, *_ = api.call("GET", lst % (monthly["id"], "abc"), query={"payslipType": 1, "payrollComponentId": 10})
    check(400 <= status <= 404, "listing with a non-integer period id answered %d" % status)
    status, *_ = api.call("GET", lst % (monthly["id"], 202611), query={"payslipType": "x", "payrollComponentId": 10})
    check(status == 400, "listing with a non-integer payslipType answered %d" % status)
    status, *_ = api.call("GET", lst % (monthly["id"], 202611), query={"payrollComponentId": 10})
    check(status == 400, "listing without the required payslipType answered %d" % status)

    # ---- writes: valid bodies accepted and answered in the documented shape; mutations rejected
    print("requests:")
    method, tmpl, op = ops["PatchPayrollPeriodDataByEmploymentId"]
    patch_schema = op["requestBody"]["content"]["application/json;version=2018-01-01"]["schema"]
    patch_base = {"payrollPeriod": {"year": 2026, "periodNumber": 11}, "shift": {"shiftNumber": 2},
                  "payslipType": {"key": 1}, "distributionUnit": {"key": du}, "costCenter": {"key": 2},
                  "costUnit": {"key": 1}, "payslipText": "Contracttest",
                  "payrollComponents": [{"payrollComponent": {"key": 10}, "value": 12.5, "isSupplement": False},
                                        {"payrollComponent": {"key": 21}, "value": None, "isSupplement": True}]}
    request_contract(api, "PatchPayrollPeriodDataByEmploymentId", "PATCH", ppd % e1005["id"], patch_schema,
                     patch_base, 200, op=op)
    status, ctype, doc, text = api.call("PATCH", ppd % e1005["id"], body=patch_base)
    check_response(op, "PatchPayrollPeriodDataByEmploymentId", status, ctype, doc, text)
    check_envelope("PatchPayrollPeriodDataByEmploymentId", doc, False)
    # the 200 has no documented body; the simulator answers the GET-by-id shape: check it as such
    get_op = ops["GetPayrollPeriodDataByPayrollPeriodDataId"][2]
    check_response(get_op, "PATCH answer as GET-by-id shape", status, ctype, doc, text)

    method, tmpl, op = ops["PostPayrollPeriodDataByEmploymentId"]
    post_schema = op["requestBody"]["content"]["application/json;version=2018-01-01"]["schema"]
    post_base = {"payrollPeriod": {"year": 2026, "periodNumber": 11}, "shift": {"shiftNumber": 3},
                 "payslipType": {"key": 2}, "distributionUnit": {"key": du}, "costCenter": {"key": 3},
                 "costUnit": {"key": 2}, "payslipText": None,
                 "payrollComponents": [{"payrollComponent": {"key": 30}, "value": 250, "isSupplement": True}]}
    request_contract(api, "PostPayrollPeriodDataByEmploymentId", "POST", ppd % e1006["id"], post_schema, post_base, 201,
                     op=op)
    status, ctype, doc, text = api.call("POST", ppd % e1006["id"], body=dict(post_base, shift={"shiftNumber": 2}))
    check(status == 201, "POST of a new key answered %d" % status)
    check_response(op, "PostPayrollPeriodDataByEmploymentId", status, ctype, doc, text)

    method, tmpl, op = ops["PutPayrollPeriodDataByPayrollPeriodDataId"]
    put_schema = op["requestBody"]["content"]["application/json;version=2018-01-01"]["schema"]
    put_base = {"shift": {"shiftNumber": 1}, "distributionUnit": {"key": du}, "costCenter": {"key": 1},
                "costUnit": None, "payslipText": "Correctie",
                "payrollComponents": [{"payrollComponent": {"key": 10}, "value": 9.75, "isSupplement": False}]}
    put_path = "/providers/employers/employees/employments/payrollperioddata/%s" % put_id
    request_contract(api, "PutPayrollPeriodDataByPayrollPeriodDataId", "PUT", put_path, put_schema, put_base, 200,
                     op=op)
    status, ctype, doc, text = api.call("PUT", put_path, body=put_base)
    check_response(op, "PutPayrollPeriodDataByPayrollPeriodDataId", status, ctype, doc, text)

    method, tmpl, op = ops["PatchCollectivePayrollPeriodDataByEmployerId"]
    coll_schema = op["requestBody"]["content"]["application/json;version=2018-01-01"]["schema"]
    coll_item = dict(patch_base, employmentId=e1005["id"])
    coll_path = "/providers/employers/%s/payrollperioddata" % vdb["id"]
    request_contract(api, "PatchCollectivePayrollPeriodDataByEmployerId", "PATCH", coll_path, coll_schema["items"],
                     coll_item, 200, wrap=lambda item: [item], op=op)
    status, ctype, doc, text = api.call("PATCH", coll_path, raw_body=b'{"not": "an array"}')
    check(status == 400, "collective PATCH with an object body answered %d" % status)
    check(not validator(coll_schema).is_valid({"not": "an array"}), "the collective schema takes an array")
    status, ctype, doc, text = api.call("PATCH", coll_path, body=[coll_item])
    check_response(op, "PatchCollectivePayrollPeriodDataByEmployerId", status, ctype, doc, text)

    for what, raw in (("not JSON", b"{"), ("a JSON string", b'"x"'), ("empty", b"")):
        status, *_ = api.call("PATCH", ppd % e1005["id"], raw_body=raw)
        check(status == 400, "PATCH with a body that is %s answered %d" % (what, status))

    method, tmpl, op = ops["DeletePayrollPeriodDataByPayrollPeriodDataId"]
    status, ctype, doc, text = api.call("DELETE", put_path)
    check(status == 200, "DELETE answered %d: %s" % (status, text[:200]))
    check_response(op, "DeletePayrollPeriodDataByPayrollPeriodDataId", status, ctype, doc, text)
    status, *_ = api.call("DELETE", put_path)
    check(status == 404, "DELETE of a deleted record answered %d" % status)

    # ---- error answers of every write endpoint, and Loket's recommended round trip
    error_answers(api, ops, fixture, vdb, hidden_empl, e1005, e1006)
    defaults_round_trip(api, ops, fixture, employers, hidden)

    # ---- not served: the employment writes of the slice are outside an importer's needs
    for op_id in ("PutEmploymentByEmploymentId", "PatchTypeOfEmploymentCategoryTypeFieldsByEmploymentId"):
        status, *_ = api.call(ops[op_id][0], "/providers/employers/employees/employments/%s" % e1005["id"], V19, body={})
        check(status == 405, "%s (not simulated) answered %d, expected 405" % (op_id, status))

    # ---- outside the slice: defaults and metadata keep the envelope
    for suffix, listing in (("/defaults", False), ("/metadata", True), ("/metadata/year/2026/period/11", True)):
        status, ctype, doc, text = api.call("GET", (ppd % e1005["id"]) + suffix)
        check(status == 200, "%s answered %d" % (suffix, status))
        check_envelope(suffix, doc, listing)

    print("contract: %d checks, %d failed" % (checks, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
