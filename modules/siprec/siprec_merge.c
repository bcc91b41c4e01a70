/* See siprec_merge.h. */
#include "siprec_merge.h"

#include <stdbool.h>
#include <string.h>

#include "siprec_xml.h"

static const char *const kinds[] = {"groups", "sessions", "participants", "streams"};
static const char *const ids[] = {"group_id", "session_id", "participant_id", "stream_id"};

json_t *siprec_state_new(void)
{
    return json_pack("{s:[], s:[], s:[], s:[]}", "groups", "sessions", "participants", "streams");
}

static json_t *find(json_t *list, const char *id_key, const char *id)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        const char *v = json_string_value(json_object_get(o, id_key));
        if (v && !strcmp(v, id)) return o;
    }
    return NULL;
}

/* Fields present (not null) override; objects (extensions, call_data)
 * merge key by key. */
static void upsert(json_t *list, const char *id_key, json_t *from)
{
    const char *id = json_string_value(json_object_get(from, id_key));
    if (!id) return;
    json_t *o = find(list, id_key, id);
    if (!o) {
        if (json_array_size(list) >= SIPREC_MAX_OBJECTS) return;
        json_array_append_new(list, json_deep_copy(from));
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(from, key, v)
    {
        json_t *old = json_object_get(o, key);
        if (json_is_null(v) && old) continue;
        if (json_is_object(v) && json_is_object(old))
            json_object_update(old, v);
        else
            json_object_set_new(o, key, json_deep_copy(v));
    }
}

void siprec_merge(json_t *state, const json_t *doc)
{
    const char *mode = json_string_value(json_object_get(doc, "datamode"));
    if (!mode || strcmp(mode, "partial")) { /* complete (the default) replaces */
        for (size_t k = 0; k < 4; k++)
            json_array_clear(json_object_get(state, kinds[k]));
    }
    for (size_t k = 0; k < 4; k++) {
        json_t *list = json_object_get(state, kinds[k]);
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(doc, kinds[k]), i, o) upsert(list, ids[k], o);
    }
}

static json_t *labels_of(json_t *stream_ids, json_t *streams)
{
    json_t *out = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(stream_ids, i, id)
    {
        json_t *s = json_is_string(id) ? find(streams, "stream_id", json_string_value(id)) : NULL;
        json_t *label = json_object_get(s, "label");
        if (json_is_string(label)) json_array_append(out, label);
    }
    return out;
}

static bool holds(json_t *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i,
                       v) if (json_is_string(v) && !strcmp(json_string_value(v), id)) return true;
    return false;
}

json_t *siprec_resolve(const json_t *state)
{
    json_t *out = json_deep_copy(state);
    if (!out) return NULL;
    json_t *streams = json_object_get(out, "streams");
    json_t *participants = json_object_get(out, "participants");
    static const char *const lists[] = {"aors", "names", "send", "recv"};
    static const char *const values[] = {"session_id", "associate_time", "disassociate_time"};
    size_t i;
    json_t *p;
    json_array_foreach(participants, i, p)
    {
        for (size_t k = 0; k < 4; k++)
            if (!json_is_array(json_object_get(p, lists[k])))
                json_object_set_new(p, lists[k], json_array());
        for (size_t k = 0; k < 3; k++)
            if (!json_object_get(p, values[k])) json_object_set_new(p, values[k], json_null());
        json_object_set_new(p, "send_labels", labels_of(json_object_get(p, "send"), streams));
        json_object_set_new(p, "recv_labels", labels_of(json_object_get(p, "recv"), streams));
    }
    json_t *s;
    json_array_foreach(streams, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "stream_id"));
        json_t *senders = json_array(), *aors = json_array(), *receivers = json_array();
        size_t j;
        json_array_foreach(participants, j, p)
        {
            json_t *pid = json_object_get(p, "participant_id");
            if (id && holds(json_object_get(p, "send"), id)) {
                json_array_append(senders, pid);
                json_t *aor = json_array_get(json_object_get(p, "aors"), 0);
                json_array_append_new(aors, aor ? json_incref(aor) : json_null());
            }
            if (id && holds(json_object_get(p, "recv"), id)) json_array_append(receivers, pid);
        }
        json_object_set_new(s, "senders", senders);
        json_object_set_new(s, "sender_aors", aors);
        json_object_set_new(s, "receivers", receivers);
    }
    return out;
}
