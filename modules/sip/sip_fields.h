/* The SIP module's own dialog fields for the filter language (`--filter`)
 * and its aliases. Other modules add theirs through dialog annotations;
 * sip_annotations.c joins them into one table. */
#ifndef SNB_SIP_FIELDS_H
#define SNB_SIP_FIELDS_H

#include "sip_dialog.h"
#include "sipnab/filter.h"

/* The fields and aliases. */
const snb_filter_field_t *sip_fields_list(size_t *n);
const snb_filter_alias_t *sip_fields_aliases(size_t *n);
/* What the "problems" alias means on SIP alone (annotations OR theirs in). */
#define SIP_FIELDS_PROBLEMS "failed OR slow-setup OR retransmitted OR malformed > 0"

/* Scratch for values that must be formatted (addresses). */
typedef struct sip_annotations sip_annotations_t;
typedef struct sip_field_scratch {
    char addr[64];
    const sip_annotations_t *ann; /* for the duration of an ongoing call; may be NULL */
} sip_field_scratch_t;

/* The value of field id for d. */
void sip_fields_value(const sip_dialog_t *d, int id, sip_field_scratch_t *scratch,
                      snb_filter_value_t *out);

#endif
