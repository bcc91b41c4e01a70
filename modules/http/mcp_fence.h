/* Text that came from a capture (a From header, a user agent, a body) is
 * attacker-controlled: a caller can write "ignore previous instructions"
 * into a SIP header. MCP tool results put such text between markers, with
 * a note that it is data, not instructions, and a marker the data cannot
 * contain (so it cannot close the block early). Pure. */
#ifndef SNB_MCP_FENCE_H
#define SNB_MCP_FENCE_H

#include <stddef.h>

/* A malloc'd text: the note (saying what the data is), the opening marker,
 * the data, the closing marker. NULL without memory. */
char *mcp_fence(const char *what, const char *data, size_t len);

#endif
