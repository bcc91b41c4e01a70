/* A call's T.38 fax phase as the dialog JSON's "fax" object and as the
 * call report's fax section (see rtp_fax.h). */
#include <inttypes.h>

#include "rtp_out.h"
#include "sipnab/format.h"

static json_t *time_or_null(uint64_t ts_us)
{
    char buf[48];
    return ts_us ? json_string(snb_format_utc(ts_us, true, buf, sizeof buf)) : json_null();
}

json_t *rtp_out_fax_json(const rtp_fax_t *f)
{
    if (!f->offered_us) return NULL; /* no T.38 in this call: no "fax" key */
    json_t *o = json_object();
    json_object_set_new(o, "t38_offered_at", time_or_null(f->offered_us));
    json_object_set_new(o, "switched_at", time_or_null(f->switched_us));
    json_object_set_new(o, "back_to_audio_at", time_or_null(f->back_us));
    json_object_set_new(o, "active", json_boolean(f->active));
    json_object_set_new(o, "switches", json_integer(f->switches));
    json_t *n = json_object();
    json_object_set_new(n, "from_offer_side", json_integer((json_int_t)f->udptl[RTP_SIDE_OFFER]));
    json_object_set_new(n, "from_answer_side", json_integer((json_int_t)f->udptl[RTP_SIDE_ANSWER]));
    json_object_set_new(o, "udptl_packets", n);
    json_object_set_new(o, "first_udptl", time_or_null(f->first_udptl_us));
    json_object_set_new(o, "last_udptl", time_or_null(f->last_udptl_us));
    return o;
}

void rtp_out_fax_report(FILE *out, bool md, const rtp_fax_t *f)
{
    if (!f->offered_us) return;
    char offered[40], switched[40], back[40];
    snb_format_utc(f->offered_us, false, offered, sizeof offered);
    if (f->switched_us)
        snb_format_utc(f->switched_us, false, switched, sizeof switched);
    else
        snprintf(switched, sizeof switched, "never (not accepted)");
    if (f->back_us)
        snb_format_utc(f->back_us, false, back, sizeof back);
    else
        snprintf(back, sizeof back, f->active ? "not seen (still faxing)" : "-");
    const char *item = md ? "- " : "  ";
    fprintf(out, md ? "\n## Fax (T.38)\n\n" : "Fax (T.38):\n");
    fprintf(out, "%sT.38 offered %s UTC, switched %s%s, back to audio %s%s\n", item, offered,
            switched, f->switched_us ? " UTC" : "", back, f->back_us ? " UTC" : "");
    fprintf(out,
            "%sUDPTL packets: %" PRIu64 " from the offer side, %" PRIu64
            " from the answer side (not counted as RTP)\n",
            item, f->udptl[RTP_SIDE_OFFER], f->udptl[RTP_SIDE_ANSWER]);
}
