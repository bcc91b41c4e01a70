/* The plain-text ladder of one call for MCP render_ladder: one line per
 * message, its time from the first message, source -> destination and
 * label, from the ladder entries of a dialog's full JSON (GET
 * /v1/dialogs/{id}: t_ms, src, src_port, dst, dst_port, label,
 * retransmit). Control characters in capture text become '?' so a label
 * cannot forge a line. Pure. */
#ifndef SNB_MCP_LADDER_H
#define SNB_MCP_LADDER_H

#include <jansson.h>
#include <stddef.h>

/* Entries offset .. offset+max-1 of messages (an array), with a header
 * line; *rendered says how many. A malloc'd text, NULL without memory. */
char *mcp_ladder_render(const json_t *messages, size_t offset, size_t max, size_t *rendered);

#endif
