/* The smallest SQL driver interface both backends implement, so the store's
 * queries (store.c) are written once. SQL uses '?' placeholders; the
 * PostgreSQL driver rewrites them to $1..$n. Values in rows are valid only
 * during the row callback. */
#ifndef SNB_CENTER_DB_H
#define SNB_CENTER_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum db_type { DB_NULL, DB_INT, DB_TEXT, DB_BLOB } db_type_t;

typedef struct db_val {
    db_type_t type;
    int64_t i;
    const char *s;
    const void *b;
    size_t len;
} db_val_t;

#define DBI(x) ((db_val_t){.type = DB_INT, .i = (int64_t)(x)})
#define DBT(x) ((db_val_t){.type = (x) ? DB_TEXT : DB_NULL, .s = (x)})
#define DBB(p, n) ((db_val_t){.type = DB_BLOB, .b = (p), .len = (n)})

typedef struct db_row {
    int n;
    const db_val_t *v;
} db_row_t;

/* Return nonzero to stop reading rows. */
typedef int (*db_row_cb)(void *ud, const db_row_t *row);

typedef struct db db_t;

typedef struct db_ops {
    const char *name;
    /* One statement; rows go to cb (may be NULL); *changes (may be NULL)
     * gets the rows written. Returns 0 or -1 with a one-line err. */
    int (*exec)(db_t *db, const char *sql, const db_val_t *p, int n, db_row_cb cb, void *ud,
                int64_t *changes, char *err, size_t errlen);
    /* Statements without parameters (migrations, BEGIN/COMMIT). */
    int (*script)(db_t *db, const char *sql, char *err, size_t errlen);
    void (*close)(db_t *db);
    /* Schema migrations: migrations[i] brings the schema from version i to i+1. */
    const char *const *migrations;
    size_t n_migrations;
} db_ops_t;

struct db {
    const db_ops_t *ops;
};

/* "sqlite:PATH" */
db_t *db_sqlite_open(const char *path, char *err, size_t errlen);
/* "postgresql://..." or "postgres://..." (a libpq connection URI) */
db_t *db_pg_open(const char *uri, char *err, size_t errlen);

#endif
