/* Symbol visibility: everything is hidden by default (-fvisibility=hidden);
 * SNB_API marks the core functions that modules may call, SNB_MODULE_EXPORT
 * the one descriptor a module exports. */
#ifndef SIPNAB_EXPORT_H
#define SIPNAB_EXPORT_H

#define SNB_API __attribute__((visibility("default")))
#define SNB_MODULE_EXPORT __attribute__((visibility("default")))

#endif
