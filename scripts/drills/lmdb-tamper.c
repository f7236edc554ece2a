/*
 * lmdb-tamper: raw access to one LMDB environment for the tamper drill (scripts/drills/tamper.sh).
 *
 * It exists because the drill must modify the stored log *below* the event store, exactly as an
 * attacker with the disk would: no codec, no chain, no checkpoint logic, only LMDB's own API.
 * Keys and values travel as lowercase hex so the Python driver never needs an LMDB binding.
 *
 *   lmdb-tamper ENVDIR get DB KEYHEX        prints the value as hex (exit 3 when the key is absent)
 *   lmdb-tamper ENVDIR keys DB              prints every key as hex, one a line, in key order
 *   lmdb-tamper ENVDIR apply                reads "put DB KEYHEX VALHEX" and "del DB KEYHEX" lines
 *                                           from stdin and applies them in ONE write transaction
 *
 * Build: cc -O2 -o lmdb-tamper lmdb-tamper.c -llmdb   (Debian: liblmdb-dev)
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fails loudly: the drill must never mistake a tool error for "verify detected nothing". */
static void check(int rc, const char *what) {
    if (rc != MDB_SUCCESS) {
        fprintf(stderr, "lmdb-tamper: %s: %s\n", what, mdb_strerror(rc));
        exit(2);
    }
}

/* Hex text to bytes; returns the byte count or exits on malformed input. */
static size_t unhex(const char *text, unsigned char *out, size_t capacity) {
    size_t length = strlen(text);
    if (length % 2 != 0 || length / 2 > capacity) {
        fprintf(stderr, "lmdb-tamper: bad hex (%zu chars)\n", length);
        exit(64);
    }
    for (size_t i = 0; i < length / 2; i++) {
        unsigned int byte;
        if (sscanf(text + 2 * i, "%2x", &byte) != 1) {
            fprintf(stderr, "lmdb-tamper: bad hex digit\n");
            exit(64);
        }
        out[i] = (unsigned char)byte;
    }
    return length / 2;
}

static void print_hex(const MDB_val *value) {
    const unsigned char *bytes = value->mv_data;
    for (size_t i = 0; i < value->mv_size; i++) printf("%02x", bytes[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: lmdb-tamper ENVDIR get DB KEYHEX | keys DB | apply\n");
        return 64;
    }
    MDB_env *env;
    check(mdb_env_create(&env), "env_create");
    check(mdb_env_set_maxdbs(env, 32), "set_maxdbs");
    check(mdb_env_open(env, argv[1], 0, 0600), "env_open");
    const char *command = argv[2];
    static unsigned char key_bytes[512];
    static unsigned char value_bytes[1 << 20];

    if (strcmp(command, "get") == 0 && argc == 5) {
        MDB_txn *txn;
        MDB_dbi dbi;
        check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "txn_begin");
        check(mdb_dbi_open(txn, argv[3], 0, &dbi), argv[3]);
        MDB_val key = { unhex(argv[4], key_bytes, sizeof key_bytes), key_bytes }, value;
        int rc = mdb_get(txn, dbi, &key, &value);
        if (rc == MDB_NOTFOUND) return 3;
        check(rc, "get");
        print_hex(&value);
        mdb_txn_abort(txn);
    } else if (strcmp(command, "keys") == 0 && argc == 4) {
        MDB_txn *txn;
        MDB_dbi dbi;
        MDB_cursor *cursor;
        MDB_val key, value;
        check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "txn_begin");
        check(mdb_dbi_open(txn, argv[3], 0, &dbi), argv[3]);
        check(mdb_cursor_open(txn, dbi, &cursor), "cursor_open");
        int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
        while (rc == MDB_SUCCESS) {
            print_hex(&key);
            rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT_NODUP);
        }
        if (rc != MDB_NOTFOUND) check(rc, "cursor_get");
        mdb_txn_abort(txn);
    } else if (strcmp(command, "apply") == 0 && argc == 3) {
        MDB_txn *txn;
        check(mdb_txn_begin(env, NULL, 0, &txn), "txn_begin");
        static char line[(1 << 21) + 1024];
        while (fgets(line, sizeof line, stdin)) {
            char *op = strtok(line, " \n"), *db = strtok(NULL, " \n"), *key_hex = strtok(NULL, " \n");
            char *value_hex = strtok(NULL, " \n");
            if (!op) continue;
            if (!db || !key_hex) { fprintf(stderr, "lmdb-tamper: bad line\n"); return 64; }
            MDB_dbi dbi;
            check(mdb_dbi_open(txn, db, 0, &dbi), db);
            MDB_val key = { unhex(key_hex, key_bytes, sizeof key_bytes), key_bytes };
            if (strcmp(op, "put") == 0 && value_hex) {
                MDB_val value = { unhex(value_hex, value_bytes, sizeof value_bytes), value_bytes };
                check(mdb_put(txn, dbi, &key, &value, 0), "put");
            } else if (strcmp(op, "del") == 0) {
                check(mdb_del(txn, dbi, &key, NULL), "del");
            } else {
                fprintf(stderr, "lmdb-tamper: unknown op %s\n", op);
                return 64;
            }
        }
        check(mdb_txn_commit(txn), "txn_commit");
    } else {
        fprintf(stderr, "lmdb-tamper: unknown command\n");
        return 64;
    }
    mdb_env_close(env);
    return 0;
}
