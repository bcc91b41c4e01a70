/* Anchor for the test-support library; helpers live in sibling files. */
#include "support.h"
