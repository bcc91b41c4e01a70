#include "sec_number.h"

#include <string.h>

/* Satellite and international networks (881-883, 870), premium-rate
 * international (979) and ranges that IRSF reports list over and over. */
const char *const sec_default_toll_prefixes[] = {
    "881", "882", "883", "870", "979", "53",  "252", "247", "290", "675", "677", "678",
    "685", "686", "688", "690", "691", "692", "960", "371", "232", "224", "255", NULL};

static bool is_separator(char c)
{
    return c == '-' || c == '.' || c == ' ' || c == '(' || c == ')';
}

bool sec_number_international(const char *user, size_t len, char *out, size_t out_len)
{
    if (!user || !out || out_len < 2) return false;
    size_t i = 0;
    if (len >= 1 && user[0] == '+')
        i = 1;
    else if (len >= 2 && user[0] == '0' && user[1] == '0')
        i = 2;
    else
        return false;
    size_t n = 0;
    for (; i < len; i++) {
        char c = user[i];
        if (is_separator(c)) continue;
        if (c < '0' || c > '9') break; /* ";phone-context" or garbage ends it */
        if (n + 1 >= out_len) break;
        out[n++] = c;
    }
    out[n] = '\0';
    return n >= 3;
}

bool sec_number_premium(const char *digits, const char *const *prefixes, size_t n)
{
    if (!digits || !prefixes) return false;
    for (size_t i = 0; i < n && prefixes[i]; i++) {
        const char *p = prefixes[i];
        if (*p == '+')
            p++;
        else if (p[0] == '0' && p[1] == '0')
            p += 2;
        size_t pl = strlen(p);
        if (pl && strncmp(digits, p, pl) == 0) return true;
    }
    return false;
}

bool sec_number_value(const char *user, size_t len, uint64_t *value)
{
    if (!user) return false;
    size_t i = len && user[0] == '+' ? 1 : 0;
    size_t digits = len - i;
    if (digits < 7 || digits > 18) return false;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (user[i] < '0' || user[i] > '9') return false;
        v = v * 10 + (uint64_t)(user[i] - '0');
    }
    *value = v;
    return true;
}
