#include "redis_reply_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    BLOCK_SIZE = 64 * 1024,
    /// Blocks past the first are freed when no reply used them for this many replies...
    IDLE_REPLIES = 256,
    /// ...or at once when they would make the arena hold more than this.
    MAXIMUM_RETAINED = 16 * 1024 * 1024,
};

typedef struct block {
    struct block *next;
    size_t capacity;
    size_t used;
    /// The reply (its generation) that last used the block.
    unsigned long last_used;
    _Alignas(16) char data[];
} block;

struct berrys_reply_arena {
    block *first;
    block *current;
    /// Counts replies: incremented by every reset.
    unsigned long generation;
};

static block *block_create(size_t capacity) {
    block *made = malloc(sizeof(block) + capacity);
    if (made == NULL) return NULL;
    made->next = NULL;
    made->capacity = capacity;
    made->used = 0;
    made->last_used = 0;
    return made;
}

berrys_reply_arena *berrys_reply_arena_create(void) {
    berrys_reply_arena *arena = malloc(sizeof(berrys_reply_arena));
    if (arena == NULL) return NULL;
    arena->first = block_create(BLOCK_SIZE);
    if (arena->first == NULL) {
        free(arena);
        return NULL;
    }
    arena->current = arena->first;
    arena->generation = 0;
    return arena;
}

void berrys_reply_arena_free(berrys_reply_arena *arena) {
    if (arena == NULL) return;
    block *next;
    for (block *each = arena->first; each != NULL; each = next) {
        next = each->next;
        free(each);
    }
    free(arena);
}

void berrys_reply_arena_reset(berrys_reply_arena *arena) {
    // Blocks a steady stream of large replies uses stay; those only a rare huge reply needed
    // go back to malloc after a while.
    arena->generation += 1;
    arena->first->used = 0;
    size_t kept = arena->first->capacity;
    block *previous = arena->first;
    while (previous->next != NULL) {
        block *each = previous->next;
        if (arena->generation - each->last_used > IDLE_REPLIES || kept + each->capacity > MAXIMUM_RETAINED) {
            previous->next = each->next;
            free(each);
            continue;
        }
        each->used = 0;
        kept += each->capacity;
        previous = each;
    }
    arena->current = arena->first;
}

size_t berrys_reply_arena_capacity(const berrys_reply_arena *arena) {
    size_t total = 0;
    for (const block *each = arena->first; each != NULL; each = each->next) total += each->capacity;
    return total;
}

/// `size` bytes, 8-aligned, valid until the next reset; NULL when out of memory.
static void *arena_allocate(berrys_reply_arena *arena, size_t size) {
    size = (size + 7) & ~(size_t)7;
    block *current = arena->current;
    while (current->capacity - current->used < size) {
        if (current->next == NULL) {
            block *grown = block_create(size > BLOCK_SIZE ? size : BLOCK_SIZE);
            if (grown == NULL) return NULL;
            current->next = grown;
        }
        current = current->next;
        current->used = 0;
        arena->current = current;
    }
    current->last_used = arena->generation;
    void *memory = current->data + current->used;
    current->used += size;
    return memory;
}

static redisReply *reply_create(const redisReadTask *task, int type) {
    berrys_reply_arena *arena = task->privdata;
    redisReply *reply = arena_allocate(arena, sizeof(redisReply));
    if (reply == NULL) return NULL;
    memset(reply, 0, sizeof(redisReply));
    reply->type = type;
    if (task->parent != NULL) {
        redisReply *parent = task->parent->obj;
        parent->element[task->idx] = reply;
    }
    return reply;
}

static void *create_string(const redisReadTask *task, char *bytes, size_t length) {
    berrys_reply_arena *arena = task->privdata;
    char *copy = arena_allocate(arena, length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, bytes, length);
    copy[length] = '\0';
    redisReply *reply = reply_create(task, task->type);
    if (reply == NULL) return NULL;
    reply->str = copy;
    reply->len = length;
    return reply;
}

static void *create_array(const redisReadTask *task, int elements) {
    berrys_reply_arena *arena = task->privdata;
    redisReply **vector = NULL;
    if (elements > 0) {
        vector = arena_allocate(arena, (size_t)elements * sizeof(redisReply *));
        if (vector == NULL) return NULL;
        memset(vector, 0, (size_t)elements * sizeof(redisReply *));
    }
    redisReply *reply = reply_create(task, REDIS_REPLY_ARRAY);
    if (reply == NULL) return NULL;
    reply->element = vector;
    reply->elements = elements > 0 ? (size_t)elements : 0;
    return reply;
}

static void *create_integer(const redisReadTask *task, long long value) {
    redisReply *reply = reply_create(task, REDIS_REPLY_INTEGER);
    if (reply != NULL) reply->integer = value;
    return reply;
}

static void *create_nil(const redisReadTask *task) {
    return reply_create(task, REDIS_REPLY_NIL);
}

// Replies are dropped with the arena, never one by one.
static void free_object(void *reply) { (void)reply; }

static redisReplyObjectFunctions arena_functions = {
    create_string, create_array, create_integer, create_nil, free_object,
};

void berrys_reply_arena_attach(berrys_reply_arena *arena, redisReader *reader) {
    reader->fn = &arena_functions;
    reader->privdata = arena;
}
