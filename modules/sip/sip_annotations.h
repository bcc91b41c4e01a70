/* The dialog annotation registry (sipnab/dialogs.h): what other modules add
 * to every dialog, and the one filter field table that joins the SIP
 * module's own fields (sip_fields.c) with theirs. Pure logic: the module
 * glue feeds it registrations, then seals it once every module's init has
 * run; from then on it compiles and evaluates filters and builds each
 * dialog's annotation parts. */
#ifndef SNB_SIP_ANNOTATIONS_H
#define SNB_SIP_ANNOTATIONS_H

#include <jansson.h>
#include <stdio.h>

#include "sip_dialog.h"
#include "sipnab/dialogs.h"

typedef struct sip_annotations sip_annotations_t;

sip_annotations_t *sip_annotations_new(void);
void sip_annotations_free(sip_annotations_t *a);

/* Register one; the table is copied (its pointers must outlive the
 * registry). Returns its id, or -EINVAL (bad table, or sealed already: one
 * line why in err), -EEXIST (key, kind or field name taken), -ENOMEM. */
int sip_annotations_add(sip_annotations_t *a, const snb_dialog_annotation_t *ann, char *err,
                        size_t errlen);
size_t sip_annotations_count(const sip_annotations_t *a);
const snb_dialog_annotation_t *sip_annotations_at(const sip_annotations_t *a, size_t i);

/* Annotation id reports when it last saw packets of a dialog (during init);
 * 0, -EINVAL or -ENOSPC. */
int sip_annotations_activity(sip_annotations_t *a, int id, snb_dialog_activity_fn fn);
/* The dialog's duration: sip_dialog_duration_sec(), except that an answered
 * dialog that has not ended (*ongoing, may be NULL) runs to the latest of
 * its messages and the annotations' activity. a may be NULL. */
double sip_annotations_duration_sec(const sip_annotations_t *a, const sip_dialog_t *d,
                                    bool *ongoing);

/* Build the joined field and alias tables (the "problems" alias ORs in
 * every annotation's `problems`). Until sealed, only SIP fields compile. */
int sip_annotations_seal(sip_annotations_t *a);

/* The info an annotation callback gets for a dialog. */
void sip_annotations_info(const sip_dialog_t *d, snb_dialog_info_t *out);

snb_filter_t *sip_annotations_compile(const sip_annotations_t *a, const char *expr, char *err,
                                      size_t errlen);
bool sip_annotations_match(const sip_annotations_t *a, const snb_filter_t *f,
                           const sip_dialog_t *d);
/* {"fields": [{name, type}], "aliases": [{name, expression, help}],
 *  "kinds": [key, ...]} and one value per field for a dialog. */
json_t *sip_annotations_table_json(const sip_annotations_t *a);
json_t *sip_annotations_values_json(const sip_annotations_t *a, const sip_dialog_t *d);
/* The same values one by one, without the tree (fn as the service's
 * field_values_each). */
void sip_annotations_values_each(const sip_annotations_t *a, const sip_dialog_t *d,
                                 snb_field_value_fn fn, void *ud);

/* The dialog's "diagnosis": every registered kind false and "hints": [],
 * then each annotation's diagnose. New reference. */
json_t *sip_annotations_diagnosis(const sip_annotations_t *a, const sip_dialog_t *d);
/* "<state> (final response 486); one-way audio" from the state and the
 * kinds set in diagnosis, for diagnosis.summary. */
json_t *sip_annotations_summary(const sip_annotations_t *a, const sip_dialog_t *d,
                                const json_t *diagnosis);
/* Every annotation's value for a dialog, for the writer of its JSON
 * (sip_out_json.c, which also gives the REST spec's keys nobody filled their
 * empty value): keys[i] and
 * values[i] (new references, NULL when the annotation has nothing) for each
 * annotation with a key, in registration order; their number. keys and
 * values hold sip_annotations_count(a) entries. */
size_t sip_annotations_values(const sip_annotations_t *a, const sip_dialog_t *d, const char **keys,
                              json_t **values);
/* Every annotation's report section. */
void sip_annotations_report(const sip_annotations_t *a, const sip_dialog_t *d, FILE *out,
                            int format);

#endif
