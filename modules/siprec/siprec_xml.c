/* See siprec_xml.h. */
#include "siprec_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <string.h>

#define NS_RFC "urn:ietf:params:xml:ns:recording:1"
#define NS_DRAFT "urn:ietf:params:xml:ns:recording"

typedef struct parse {
    bool legacy;      /* the Acme shape */
    json_t *doc;      /* the result */
    json_t *index[4]; /* id -> object, per kind */
    unsigned truncated;
} parse_t;

enum kind { K_GROUP, K_SESSION, K_PARTICIPANT, K_STREAM };
static const char *const kind_list[] = {"groups", "sessions", "participants", "streams"};
static const char *const kind_id[] = {"group_id", "session_id", "participant_id", "stream_id"};

const char *siprec_xml_error_name(siprec_xml_error_t e)
{
    static const char *const names[SIPREC_XML_ERROR_COUNT] = {"ok", "too_big", "not_xml", "dtd",
                                                              "not_recording"};
    return (unsigned)e < SIPREC_XML_ERROR_COUNT ? names[e] : "?";
}

void siprec_xml_init(void)
{
    xmlInitParser();
}

static bool is(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, local);
}

/* A recording element: in either recording namespace, or in none (some
 * SRCs forget the default namespace on children). */
static bool recording_ns(const xmlNode *n)
{
    if (!n->ns || !n->ns->href) return true;
    return !strcmp((const char *)n->ns->href, NS_RFC) ||
           !strcmp((const char *)n->ns->href, NS_DRAFT);
}

/* The text of an element from its text and CDATA children only: entity
 * references are never expanded. NULL when empty and !keep_blank; trimmed
 * unless keep_space. */
static json_t *text_of(const xmlNode *n, bool keep_space)
{
    char buf[SIPREC_MAX_TEXT + 1];
    size_t len = 0;
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || !c->content)
            continue;
        size_t l = strlen((const char *)c->content);
        if (l > SIPREC_MAX_TEXT - len) l = SIPREC_MAX_TEXT - len;
        memcpy(buf + len, c->content, l);
        len += l;
    }
    buf[len] = '\0';
    char *s = buf;
    if (!keep_space) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t' || buf[len - 1] == '\r' ||
                       buf[len - 1] == '\n'))
            buf[--len] = '\0';
        if (!*s) return NULL;
    }
    json_t *v = json_string(s);
    if (!v) { /* not UTF-8 after the cap cut a character: cut more */
        while (len && !v) {
            buf[--len] = '\0';
            v = json_string(s);
        }
    }
    return v;
}

static json_t *attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v) return NULL;
    json_t *s = strlen((const char *)v) <= SIPREC_MAX_TEXT ? json_string((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

static json_t *child_text(const xmlNode *n, const char *local)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is(c, local)) return text_of(c, false);
    return NULL;
}

/* The object of kind k with this id, made (with its id key) on first
 * mention, in document order. NULL at the cap. */
static json_t *object(parse_t *p, enum kind k, json_t *id)
{
    if (!id) return NULL;
    const char *key = json_string_value(id);
    json_t *o = json_object_get(p->index[k], key);
    if (o) {
        json_decref(id);
        return o;
    }
    if (json_object_size(p->index[k]) >= SIPREC_MAX_OBJECTS) {
        p->truncated++;
        json_decref(id);
        return NULL;
    }
    o = json_object();
    json_object_set_new(o, kind_id[k], id);
    json_object_set(p->index[k], key, o);
    json_array_append_new(json_object_get(p->doc, kind_list[k]), o);
    return o;
}

/* Set key unless the value is absent and the key already has one. */
static void put(json_t *o, const char *key, json_t *v)
{
    if (v || !json_object_get(o, key)) json_object_set_new(o, key, v ? v : json_null());
}

static void push(parse_t *p, json_t *list, json_t *v)
{
    if (!v) return;
    if (json_array_size(list) >= SIPREC_MAX_LIST) {
        p->truncated++;
        json_decref(v);
        return;
    }
    json_array_append_new(list, v);
}

static json_t *list(json_t *o, const char *key)
{
    json_t *l = json_object_get(o, key);
    if (!json_is_array(l)) {
        l = json_array();
        json_object_set_new(o, key, l);
    }
    return l;
}

/* <extensiondata>: its children's local names and texts (Acme apkt:*). */
static void extensions(const xmlNode *n, json_t *o)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (!is(c, "extensiondata")) continue;
        json_t *ext = json_object_get(o, "extensions");
        if (!ext) {
            ext = json_object();
            json_object_set_new(o, "extensions", ext);
        }
        for (const xmlNode *e = c->children; e; e = e->next)
            if (e->type == XML_ELEMENT_NODE && json_object_size(ext) < SIPREC_MAX_LIST) {
                json_t *t = text_of(e, false);
                json_object_set_new(ext, (const char *)e->name, t ? t : json_string(""));
            }
    }
}

static void group(parse_t *p, const xmlNode *n)
{
    json_t *o = object(p, K_GROUP, attr(n, p->legacy ? "id" : "group_id"));
    if (!o) return;
    put(o, "associate_time", child_text(n, "associate-time"));
    json_t *call_data = NULL;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (!is(c, "callData")) continue;
        call_data = json_object();
        for (const xmlNode *e = c->children; e; e = e->next)
            if (e->type == XML_ELEMENT_NODE && json_object_size(call_data) < SIPREC_MAX_LIST) {
                json_t *t = text_of(e, true);
                json_object_set_new(call_data, (const char *)e->name, t ? t : json_string(""));
            }
    }
    put(o, "call_data", call_data);
    if (p->legacy) extensions(n, o);
}

static void session(parse_t *p, const xmlNode *n)
{
    json_t *o = object(p, K_SESSION, attr(n, p->legacy ? "id" : "session_id"));
    if (!o) return;
    json_t *ids = list(o, "sipSessionID");
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is(c, "sipSessionID")) push(p, ids, text_of(c, false));
    put(o, "group_ref", child_text(n, "group-ref"));
    if (p->legacy) put(o, "associate_time", child_text(n, "associate-time"));
    put(o, "start_time", child_text(n, "start-time"));
    if (!p->legacy) {
        put(o, "stop_time", child_text(n, "stop-time"));
        put(o, "recording_associate_time", NULL);
    }
    extensions(n, o);
}

/* <send>/<recv> children replace the participant's lists. */
static void stream_lists(parse_t *p, const xmlNode *n, json_t *o)
{
    json_t *send = json_array(), *recv = json_array();
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (is(c, "send")) push(p, send, text_of(c, false));
        if (is(c, "recv")) push(p, recv, text_of(c, false));
    }
    json_object_set_new(o, "send", send);
    json_object_set_new(o, "recv", recv);
}

static void participant(parse_t *p, const xmlNode *n)
{
    json_t *o = object(p, K_PARTICIPANT, attr(n, p->legacy ? "id" : "participant_id"));
    if (!o) return;
    json_t *aors = list(o, "aors"), *names = list(o, "names");
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (is(c, "nameID") || is(c, "nameId")) {
            push(p, aors, attr(c, "aor"));
            for (const xmlNode *m = c->children; m; m = m->next)
                if (is(m, "name")) push(p, names, text_of(m, true));
        } else if (is(c, "aor")) {
            push(p, aors, text_of(c, false));
        } else if (is(c, "name")) {
            push(p, names, text_of(c, true));
        }
    }
    if (p->legacy) {
        put(o, "session_id", attr(n, "session"));
        put(o, "associate_time", child_text(n, "associate-time"));
        put(o, "disassociate_time", child_text(n, "disassociate-time"));
        bool lists = false; /* an update without <send>/<recv> keeps the old lists */
        for (const xmlNode *c = n->children; c && !lists; c = c->next)
            lists = is(c, "send") || is(c, "recv");
        if (lists) stream_lists(p, n, o);
        extensions(n, o);
    }
}

static void stream(parse_t *p, const xmlNode *n)
{
    json_t *o = object(p, K_STREAM, attr(n, p->legacy ? "id" : "stream_id"));
    if (!o) return;
    put(o, "session_id", attr(n, p->legacy ? "session" : "session_id"));
    put(o, "label", child_text(n, "label"));
    if (p->legacy) put(o, "associate_time", child_text(n, "associate-time"));
}

static void session_recording(parse_t *p, const xmlNode *n)
{
    json_t *o = object(p, K_SESSION, attr(n, "session_id"));
    if (!o) return;
    put(o, "recording_associate_time", child_text(n, "associate-time"));
}

static void participant_session(parse_t *p, const xmlNode *n)
{
    json_t *o = object(p, K_PARTICIPANT, attr(n, "participant_id"));
    if (!o) return;
    put(o, "session_id", attr(n, "session_id"));
    put(o, "associate_time", child_text(n, "associate-time"));
    put(o, "disassociate_time", child_text(n, "disassociate-time"));
    if (!json_object_get(o, "send")) json_object_set_new(o, "send", json_array());
    if (!json_object_get(o, "recv")) json_object_set_new(o, "recv", json_array());
}

static void participant_stream(parse_t *p, const xmlNode *n)
{
    json_t *o = object(p, K_PARTICIPANT, attr(n, "participant_id"));
    if (o) stream_lists(p, n, o);
}

/* The pre-RFC element structure: objects carry "id" attributes. */
static bool legacy_shape(const xmlNode *root)
{
    for (const xmlNode *c = root->children; c; c = c->next)
        if ((is(c, "participant") || is(c, "session") || is(c, "stream") || is(c, "group")) &&
            xmlHasProp((xmlNode *)c, (const xmlChar *)"id") &&
            !xmlHasProp((xmlNode *)c, (const xmlChar *)"participant_id") &&
            !xmlHasProp((xmlNode *)c, (const xmlChar *)"session_id") &&
            !xmlHasProp((xmlNode *)c, (const xmlChar *)"stream_id") &&
            !xmlHasProp((xmlNode *)c, (const xmlChar *)"group_id"))
            return true;
    return false;
}

json_t *siprec_xml_parse(const char *xml, size_t len, siprec_xml_error_t *err, unsigned *truncated)
{
    *err = SIPREC_XML_OK;
    if (truncated) *truncated = 0;
    if (len > SIPREC_XML_MAX_SIZE) {
        *err = SIPREC_XML_TOO_BIG;
        return NULL;
    }
    /* NONET: no fetch; no NOENT: entities are not substituted; no DTDLOAD
     * or DTDATTR; NOERROR/NOWARNING: nothing on stderr; no HUGE: libxml2's
     * own depth and text limits stay on. */
    xmlDoc *d = xmlReadMemory(xml, (int)len, "rs-metadata.xml", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!d) {
        *err = SIPREC_XML_NOT_XML;
        return NULL;
    }
    if (d->intSubset || d->extSubset) {
        xmlFreeDoc(d);
        *err = SIPREC_XML_DTD;
        return NULL;
    }
    xmlNode *root = xmlDocGetRootElement(d);
    if (!is(root, "recording") || !root->ns || !recording_ns(root)) {
        xmlFreeDoc(d);
        *err = SIPREC_XML_NOT_RECORDING;
        return NULL;
    }
    parse_t p = {.legacy = legacy_shape(root)};
    bool rfc = !strcmp((const char *)root->ns->href, NS_RFC);
    p.doc = json_pack("{s:s, s:s, s:s, s:[], s:[], s:[], s:[]}", "datamode", "complete", "shape",
                      p.legacy ? "acme"
                      : rfc    ? "rfc"
                               : "ribbon",
                      "namespace", (const char *)root->ns->href, "groups", "sessions",
                      "participants", "streams");
    for (int k = 0; k < 4; k++)
        p.index[k] = json_object();
    for (const xmlNode *c = root->children; c && p.doc; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !recording_ns(c)) continue;
        if (is(c, "datamode")) {
            json_t *m = text_of(c, false);
            if (m) json_object_set_new(p.doc, "datamode", m);
        } else if (is(c, "group")) {
            group(&p, c);
        } else if (is(c, "session")) {
            session(&p, c);
        } else if (is(c, "participant")) {
            participant(&p, c);
        } else if (is(c, "stream")) {
            stream(&p, c);
        } else if (is(c, "sessionrecordingassoc")) {
            session_recording(&p, c);
        } else if (is(c, "participantsessionassoc")) {
            participant_session(&p, c);
        } else if (is(c, "participantstreamassoc")) {
            participant_stream(&p, c);
        }
    }
    for (int k = 0; k < 4; k++)
        json_decref(p.index[k]);
    xmlFreeDoc(d);
    if (truncated) *truncated = p.truncated;
    if (!p.doc) *err = SIPREC_XML_NOT_XML; /* out of memory */
    return p.doc;
}
