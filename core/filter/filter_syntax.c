/* The one-screen syntax summary callers print with --help. */
#include "filter.h"

const char *snb_filter_syntax(void)
{
    return "  field OP value     OP: == != < > <= >= (strings, numbers), =~ !~ (PCRE2 regex)\n"
           "  values             'text' or \"text\" (\\' \\\" \\\\ escapes), 42, -1.5, true, "
           "false\n"
           "  bool_field         alone means bool_field == true\n"
           "  alias              a named condition, e.g. failed\n"
           "  NOT x, !x          x AND y, x && y     x OR y, x || y     ( ... )\n"
           "  precedence         NOT > AND > OR; keywords are case-insensitive\n"
           "  absent values      every comparison is false except != and !~\n"
           "  case-insensitive   state =~ '(?i)failed' (== is exact)";
}
