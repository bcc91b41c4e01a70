/* Header fingerprints of scanning tools, for when the User-Agent is blank
 * or forged. SIPVicious (svmap, svwar, svcrack) writes its From tag as the
 * hex of "<text>\x01<digits>" (e.g. tag=3438303733...0133303936...), which
 * no phone or proxy does. Pure. */
#ifndef SEC_FINGERPRINT_H
#define SEC_FINGERPRINT_H

#include <stdbool.h>

#include "sipnab/str.h"

/* The tool a From tag gives away, or NULL. */
const char *sec_fingerprint_from_tag(snb_str_t tag);

#endif
