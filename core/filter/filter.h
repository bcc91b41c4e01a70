/* The filter language lives in sipnab/filter.h (its types are public: modules
 * declare filter fields for dialog annotations). */
#include "sipnab/filter.h"
