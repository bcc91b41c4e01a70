/* Dialog fields for the filter language (`--filter`), and its aliases. */
#ifndef SNB_SIP_FIELDS_H
#define SNB_SIP_FIELDS_H

#include "filter.h"
#include "sip_dialog.h"
#include "sipnab/media.h"

/* Compile a filter over dialog fields; NULL with err set on error. */
snb_filter_t *sip_fields_compile(const char *expr, char *err, size_t errlen);
/* media may be NULL (no RTP module): rtp.* fields are then absent and the
 * media flags false. */
bool sip_fields_match(const snb_filter_t *f, const sip_dialog_t *d,
                      const snb_media_service_t *media);
/* The fields and aliases, for docs and --help. */
const snb_filter_field_t *sip_fields_list(size_t *n);
const snb_filter_alias_t *sip_fields_aliases(size_t *n);

#endif
