/* Copies and keys of libpg_query's typed tree; see pbtree.h. */
#include "sql/pbtree.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query/pg_query.pb-c.h>

#include "util/xalloc.h"

enum field_kind { FIELD_STRING, FIELD_BYTES, FIELD_MESSAGE, FIELD_SCALAR };

struct plan;

struct plan_field {
	uint8_t kind;       /* enum field_kind */
	uint8_t repeated;
	uint8_t location;   /* a source position: not part of a key */
	uint8_t elem_size;  /* FIELD_SCALAR */
	uint32_t offset, qoffset;
	uint32_t index;     /* in the descriptor, for keys */
	const struct plan *sub; /* FIELD_MESSAGE */
};

struct plan_oneof {
	uint32_t qoffset; /* of the case: an enum holding the set field's number */
	uint32_t max_id;
	struct plan_field *by_id; /* [max_id + 1] */
	uint8_t *present;         /* [max_id + 1] */
};

struct plan {
	const ProtobufCMessageDescriptor *desc;
	uint32_t index;          /* in plans[], for keys */
	struct plan_field *fields; /* the fields outside oneofs, in descriptor order */
	size_t nfields;
	struct plan_oneof *oneofs;
	size_t noneofs;
};

static struct plan *plans;
static size_t nplans, plans_cap;
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;

static uint8_t scalar_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	default:
		return 4;
	}
}

static size_t plan_index(const ProtobufCMessageDescriptor *d)
{
	for (size_t i = 0; i < nplans; i++)
		if (plans[i].desc == d)
			return i;
	XGROW(plans, nplans + 1, plans_cap);
	plans[nplans] = (struct plan){ .desc = d, .index = (uint32_t)nplans };
	return nplans++;
}

/* Sub-plans are recorded as index + 1 while plans[] still grows, and become pointers once
 * every type is known. */
static struct plan_field field_init(const ProtobufCFieldDescriptor *f, uint32_t index)
{
	struct plan_field pf = {
		.repeated = f->label == PROTOBUF_C_LABEL_REPEATED,
		.location = !strcmp(f->name, "location"),
		.offset = f->offset,
		.qoffset = f->quantifier_offset,
		.index = index,
	};
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
		pf.kind = FIELD_STRING;
		break;
	case PROTOBUF_C_TYPE_BYTES:
		pf.kind = FIELD_BYTES;
		break;
	case PROTOBUF_C_TYPE_MESSAGE:
		pf.kind = FIELD_MESSAGE;
		pf.sub = (const struct plan *)(uintptr_t)(plan_index(f->descriptor) + 1);
		break;
	default:
		pf.kind = FIELD_SCALAR;
		pf.elem_size = scalar_size(f->type);
		break;
	}
	return pf;
}

static void link_sub(struct plan_field *pf)
{
	uintptr_t s = (uintptr_t)pf->sub;
	pf->sub = s ? &plans[s - 1] : NULL;
}

static void plans_build(void)
{
	plan_index(&pg_query__parse_result__descriptor);
	for (size_t p = 0; p < nplans; p++) {
		const ProtobufCMessageDescriptor *d = plans[p].desc;
		struct plan_field *fields = xcalloc(d->n_fields ? d->n_fields : 1, sizeof(*fields));
		size_t nfields = 0, noneofs = 0, oneofs_cap = 0;
		struct plan_oneof *oneofs = NULL;
		for (unsigned i = 0; i < d->n_fields; i++) {
			const ProtobufCFieldDescriptor *f = &d->fields[i];
			struct plan_field pf = field_init(f, i);
			if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
				fields[nfields++] = pf;
				continue;
			}
			size_t o = 0;
			while (o < noneofs && oneofs[o].qoffset != f->quantifier_offset)
				o++;
			if (o == noneofs) {
				XGROW(oneofs, noneofs + 1, oneofs_cap);
				oneofs[noneofs++] = (struct plan_oneof){ .qoffset = f->quantifier_offset };
			}
			struct plan_oneof *of = &oneofs[o];
			if (!of->by_id || f->id > of->max_id) {
				size_t old = of->by_id ? of->max_id + 1 : 0;
				of->by_id = xrealloc(of->by_id, (f->id + 1) * sizeof(*of->by_id));
				of->present = xrealloc(of->present, f->id + 1);
				memset(of->present + old, 0, f->id + 1 - old);
				of->max_id = f->id;
			}
			of->by_id[f->id] = pf;
			of->present[f->id] = 1;
		}
		/* plans[] may have moved while this type's fields were read */
		plans[p].fields = fields;
		plans[p].nfields = nfields;
		plans[p].oneofs = oneofs;
		plans[p].noneofs = noneofs;
	}
	for (size_t p = 0; p < nplans; p++) {
		for (size_t i = 0; i < plans[p].nfields; i++)
			link_sub(&plans[p].fields[i]);
		for (size_t o = 0; o < plans[p].noneofs; o++)
			for (uint32_t id = 0; id <= plans[p].oneofs[o].max_id; id++)
				if (plans[p].oneofs[o].present[id])
					link_sub(&plans[p].oneofs[o].by_id[id]);
	}
}

static const struct plan *plan_for(const ProtobufCMessageDescriptor *d)
{
	pthread_once(&plans_once, plans_build);
	/* the root types asked for are few (ParseResult, Node, TypeName): the first plans */
	for (size_t i = 0; i < nplans; i++)
		if (plans[i].desc == d)
			return &plans[i];
	return NULL;
}

/* The field of a oneof that is set in msg, or NULL. */
static const struct plan_field *oneof_field(const struct plan_oneof *of, const char *msg)
{
	uint32_t id = *(const uint32_t *)(msg + of->qoffset);
	return id && id <= of->max_id && of->present[id] ? &of->by_id[id] : NULL;
}

/* ---- copies ---- */

struct copier {
	struct arena *arena;
	size_t limit;
	int too_deep;
};

static void *copy_message(struct copier *c, const struct plan *plan, const char *src, size_t depth);

static char *copy_string(struct copier *c, const char *s)
{
	if (!s)
		return NULL;
	if (!*s)
		return (char *)protobuf_c_empty_string;
	return arena_strdup(c->arena, s);
}

static void copy_bytes(struct copier *c, const ProtobufCBinaryData *from, ProtobufCBinaryData *to)
{
	to->len = from->len;
	to->data = NULL;
	if (from->len && from->data) {
		to->data = arena_alloc(c->arena, from->len);
		memcpy(to->data, from->data, from->len);
	}
}

static void copy_field(struct copier *c, const struct plan_field *f, const char *src, char *dst,
		       size_t depth)
{
	if (!f->repeated) {
		switch (f->kind) {
		case FIELD_STRING:
			*(char **)(dst + f->offset) = copy_string(c, *(char *const *)(src + f->offset));
			break;
		case FIELD_BYTES:
			copy_bytes(c, (const ProtobufCBinaryData *)(src + f->offset),
				   (ProtobufCBinaryData *)(dst + f->offset));
			break;
		case FIELD_MESSAGE: {
			const char *m = *(const char *const *)(src + f->offset);
			*(void **)(dst + f->offset) = m ? copy_message(c, f->sub, m, depth + 1) : NULL;
			break;
		}
		default: /* came with the struct */
			break;
		}
		return;
	}
	size_t n = *(const size_t *)(src + f->qoffset);
	const void *items = *(void *const *)(src + f->offset);
	if (!n || !items) {
		*(void **)(dst + f->offset) = NULL;
		*(size_t *)(dst + f->qoffset) = 0;
		return;
	}
	size_t elem = f->kind == FIELD_SCALAR ? f->elem_size
		      : f->kind == FIELD_BYTES ? sizeof(ProtobufCBinaryData) : sizeof(void *);
	void *out = arena_alloc(c->arena, n * elem);
	*(void **)(dst + f->offset) = out;
	switch (f->kind) {
	case FIELD_STRING:
		for (size_t i = 0; i < n; i++)
			((char **)out)[i] = copy_string(c, ((char *const *)items)[i]);
		break;
	case FIELD_MESSAGE:
		for (size_t i = 0; i < n && !c->too_deep; i++) {
			const char *m = ((const char *const *)items)[i];
			((void **)out)[i] = m ? copy_message(c, f->sub, m, depth + 1) : NULL;
		}
		break;
	case FIELD_BYTES:
		for (size_t i = 0; i < n; i++)
			copy_bytes(c, &((const ProtobufCBinaryData *)items)[i], &((ProtobufCBinaryData *)out)[i]);
		break;
	default:
		memcpy(out, items, n * elem);
		break;
	}
}

/* Recurses once per level of the tree, as libpg_query did when it built it; the depth limit
 * keeps this and every later walk of the copy within the stack. */
static void *copy_message(struct copier *c, const struct plan *plan, const char *src, size_t depth)
{
	if (depth > c->limit)
		c->too_deep = 1;
	if (c->too_deep)
		return NULL;
	size_t size = plan->desc->sizeof_message;
	char *dst = arena_alloc(c->arena, size);
	memcpy(dst, src, size);
	((ProtobufCMessage *)dst)->n_unknown_fields = 0;
	((ProtobufCMessage *)dst)->unknown_fields = NULL;
	for (size_t i = 0; i < plan->nfields; i++)
		if (plan->fields[i].kind != FIELD_SCALAR || plan->fields[i].repeated)
			copy_field(c, &plan->fields[i], src, dst, depth);
	for (size_t o = 0; o < plan->noneofs; o++) {
		const struct plan_field *f = oneof_field(&plan->oneofs[o], src);
		if (f)
			copy_field(c, f, src, dst, depth);
	}
	return dst;
}

void *sql_tree_copy(struct arena *a, const ProtobufCMessage *m, size_t depth_limit, int *too_deep)
{
	const struct plan *plan = plan_for(m->descriptor);
	if (!plan)
		return NULL;
	struct copier c = { a, depth_limit, 0 };
	void *copy = copy_message(&c, plan, (const char *)m, 0);
	if (too_deep)
		*too_deep = c.too_deep;
	return c.too_deep ? NULL : copy;
}

/* ---- keys ----
 * A message is "<type>{" its fields "}"; a field that is not zero, empty or NULL is
 * "<index>:" and its value; a scalar is hexadecimal, a string or bytes "<length>'" and the
 * bytes (so any content is unambiguous; bytes fields in hexadecimal), a missing message "-", a repeated field "[" items "]".
 * The text is only ever compared, never read back. */

static void key_hex(struct strbuf *out, uint64_t v)
{
	char buf[17];
	size_t n = 0;
	do {
		buf[sizeof(buf) - 1 - ++n] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	strbuf_add(out, buf + sizeof(buf) - 1 - n, n);
}

static uint64_t scalar_value(const char *p, size_t size)
{
	if (size == 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void key_bytes(struct strbuf *out, const void *data, size_t len)
{
	key_hex(out, len);
	strbuf_addch(out, '\'');
	strbuf_add(out, data, len);
}

static void key_message(const struct plan *plan, const char *m, struct strbuf *out);

static void key_value(const struct plan_field *f, const char *p, struct strbuf *out)
{
	switch (f->kind) {
	case FIELD_STRING: {
		const char *s = *(const char *const *)p;
		key_bytes(out, s ? s : "", s ? strlen(s) : 0);
		break;
	}
	case FIELD_BYTES: {
		/* may hold NUL bytes, which the key cannot: two hexadecimal digits a byte */
		const ProtobufCBinaryData *b = (const ProtobufCBinaryData *)p;
		size_t len = b->data ? b->len : 0;
		key_hex(out, len);
		strbuf_addch(out, '#');
		for (size_t i = 0; i < len; i++) {
			strbuf_addch(out, "0123456789abcdef"[b->data[i] >> 4]);
			strbuf_addch(out, "0123456789abcdef"[b->data[i] & 15]);
		}
		break;
	}
	case FIELD_MESSAGE: {
		const char *m = *(const char *const *)p;
		if (m)
			key_message(f->sub, m, out);
		else
			strbuf_addch(out, '-');
		break;
	}
	default:
		key_hex(out, scalar_value(p, f->elem_size));
		break;
	}
}

static void key_field(const struct plan_field *f, const char *m, struct strbuf *out)
{
	if (f->location)
		return;
	if (f->repeated) {
		size_t n = *(const size_t *)(m + f->qoffset);
		const char *items = *(const char *const *)(m + f->offset);
		if (!n || !items)
			return;
		size_t elem = f->kind == FIELD_SCALAR ? f->elem_size
			      : f->kind == FIELD_BYTES ? sizeof(ProtobufCBinaryData) : sizeof(void *);
		key_hex(out, f->index);
		strbuf_addch(out, '[');
		key_hex(out, n);
		for (size_t i = 0; i < n; i++) {
			strbuf_addch(out, ',');
			key_value(f, items + i * elem, out);
		}
		strbuf_addch(out, ']');
		return;
	}
	const char *p = m + f->offset;
	switch (f->kind) {
	case FIELD_STRING: {
		const char *s = *(const char *const *)p;
		if (!s || !*s)
			return;
		break;
	}
	case FIELD_MESSAGE:
		if (!*(const char *const *)p)
			return;
		break;
	case FIELD_BYTES:
		if (!((const ProtobufCBinaryData *)p)->len)
			return;
		break;
	default:
		if (!scalar_value(p, f->elem_size))
			return;
		break;
	}
	key_hex(out, f->index);
	strbuf_addch(out, ':');
	key_value(f, p, out);
}

static void key_message(const struct plan *plan, const char *m, struct strbuf *out)
{
	key_hex(out, plan->index);
	strbuf_addch(out, '{');
	for (size_t i = 0; i < plan->nfields; i++)
		key_field(&plan->fields[i], m, out);
	for (size_t o = 0; o < plan->noneofs; o++) {
		const struct plan_field *f = oneof_field(&plan->oneofs[o], m);
		if (f)
			key_field(f, m, out);
	}
	strbuf_addch(out, '}');
}

int sql_tree_key(const ProtobufCMessage *m, struct strbuf *out)
{
	const struct plan *plan = plan_for(m->descriptor);
	if (!plan)
		return -1;
	key_message(plan, (const char *)m, out);
	return 0;
}
