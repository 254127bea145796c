#ifndef BERRYS_REDIS_REPLY_ARENA_H
#define BERRYS_REDIS_REPLY_ARENA_H
// hiredis reply objects built in a per-connection arena instead of one malloc per element.
//
// hiredis's default reply functions allocate every element of a reply (its redisReply, its
// string, its element vector) and free them one by one; a stream read of 500 entries costs
// ~12,000 malloc/free pairs, and the large element vectors make glibc consolidate its fast
// bins each time. Here the reader builds the same redisReply tree in blocks owned by the
// connection; the whole tree is dropped at once by resetting the arena after it was copied.
//
// Rules: one reply at a time (copy it, then reset before reading the next); never call
// freeReplyObject on such a reply; free the arena after the hiredis context.
#include <hiredis/hiredis.h>

typedef struct berrys_reply_arena berrys_reply_arena;

/// A new, empty arena; NULL when out of memory.
berrys_reply_arena *berrys_reply_arena_create(void);

/// Frees the arena and every reply in it.
void berrys_reply_arena_free(berrys_reply_arena *arena);

/// Drops every reply built so far, keeping the blocks recent replies used (up to 16 MiB)
/// for the next ones.
void berrys_reply_arena_reset(berrys_reply_arena *arena);

/// Makes `reader` build its replies in `arena`.
void berrys_reply_arena_attach(berrys_reply_arena *arena, redisReader *reader);

/// Bytes of blocks the arena holds now (for tests).
size_t berrys_reply_arena_capacity(const berrys_reply_arena *arena);

#endif
