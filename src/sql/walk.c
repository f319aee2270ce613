/* The walk over the typed tree; see walk.h.
 *
 * The tree is walked through protobuf-c's descriptors, but not field by field at each visit:
 * a PgQuery__Node has a field for every one of its ~240 kinds, and scanning them all for the
 * one that is set cost more than parsing. So each message type gets a plan once, the list of
 * its fields that can lead to a Node (in descriptor order, which keeps the visiting order), and
 * a Node goes straight to the plan of its kind's message. */
#include "sql/walk.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/xalloc.h"

/* Node kinds are protobuf field numbers of PgQuery__Node's oneof; they stay well below this. */
enum { NODE_KINDS = 512 };

struct walk_plan;

struct walk_field {
	size_t offset, quantifier;
	uint32_t oneof_id;              /* 0: not in a oneof */
	int repeated;
	const struct walk_plan *child; /* NULL: a Node */
};

struct walk_plan {
	const ProtobufCMessageDescriptor *desc;
	struct walk_field *fields; /* only those that can lead to a Node */
	size_t nfields;
	int reaches_node; /* some field leads to a Node: otherwise nothing below can be visited */
};

static struct {
	struct walk_plan **all;
	size_t n, cap;
	const struct walk_plan *node_kind[NODE_KINDS]; /* the plan of each Node kind's message */
	unsigned node_offset[NODE_KINDS];
} plans;
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;

static struct walk_plan *plan_for(const ProtobufCMessageDescriptor *desc)
{
	for (size_t i = 0; i < plans.n; i++)
		if (plans.all[i]->desc == desc)
			return plans.all[i];
	struct walk_plan *p = xcalloc(1, sizeof(*p));
	p->desc = desc;
	XGROW(plans.all, plans.n + 1, plans.cap);
	plans.all[plans.n++] = p; /* before the fields: message types can nest themselves */
	p->fields = xcalloc(desc->n_fields + 1, sizeof(*p->fields));
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		struct walk_field *w = &p->fields[p->nfields++];
		w->offset = f->offset;
		w->quantifier = f->quantifier_offset;
		w->oneof_id = f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF ? f->id : 0;
		w->repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
		w->child = f->descriptor == &pg_query__node__descriptor ? NULL : plan_for(f->descriptor);
	}
	return p;
}

static void plans_build(void)
{
	const ProtobufCMessageDescriptor *nd = &pg_query__node__descriptor;
	for (unsigned i = 0; i < nd->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &nd->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->id >= NODE_KINDS)
			continue;
		plans.node_kind[f->id] = plan_for(f->descriptor);
		plans.node_offset[f->id] = f->offset;
	}
	/* which message types can hold a Node somewhere below: a least fixpoint */
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < plans.n; i++) {
			struct walk_plan *p = plans.all[i];
			if (p->reaches_node)
				continue;
			for (size_t k = 0; k < p->nfields && !p->reaches_node; k++)
				if (!p->fields[k].child || p->fields[k].child->reaches_node)
					p->reaches_node = changed = 1;
		}
	}
	/* drop the fields that cannot lead to a Node */
	for (size_t i = 0; i < plans.n; i++) {
		struct walk_plan *p = plans.all[i];
		size_t keep = 0;
		for (size_t k = 0; k < p->nfields; k++)
			if (!p->fields[k].child || p->fields[k].child->reaches_node)
				p->fields[keep++] = p->fields[k];
		p->nfields = keep;
	}
}

static void walk_node(struct sql_walk *w, PgQuery__Node **slot);

static void walk_message(struct sql_walk *w, const struct walk_plan *plan, ProtobufCMessage *msg)
{
	char *base = (char *)msg;
	for (size_t i = 0; i < plan->nfields && !w->stopped; i++) {
		const struct walk_field *f = &plan->fields[i];
		if (f->oneof_id && *(const uint32_t *)(base + f->quantifier) != f->oneof_id)
			continue;
		size_t n = 1;
		void **items = (void **)(base + f->offset);
		if (f->repeated) {
			n = *(const size_t *)(base + f->quantifier);
			items = *(void ***)(base + f->offset);
		}
		for (size_t k = 0; k < n && !w->stopped; k++) {
			if (!items[k])
				continue;
			if (f->child)
				walk_message(w, f->child, items[k]);
			else
				walk_node(w, (PgQuery__Node **)&items[k]);
		}
	}
	if (w->msg && !w->stopped)
		w->msg(w, msg);
}

static void walk_node(struct sql_walk *w, PgQuery__Node **slot)
{
	PgQuery__Node *node = *slot;
	if (node->node_case == PG_QUERY__NODE__NODE__NOT_SET)
		return;
	if (w->depth >= SQL_WALK_MAX_DEPTH) {
		if (w->too_deep)
			w->too_deep(w, slot);
		return;
	}
	if (w->path)
		w->path[w->depth] = node;
	w->depth++;
	enum sql_walk_next next = w->pre ? w->pre(w, slot) : SQL_WALK_INTO;
	if (next == SQL_WALK_STOP)
		w->stopped = 1;
	if (next == SQL_WALK_INTO) {
		int kind = (int)node->node_case;
		const struct walk_plan *plan = kind > 0 && kind < NODE_KINDS ? plans.node_kind[kind] : NULL;
		void *sub = plan ? *(void **)((char *)node + plans.node_offset[kind]) : NULL;
		if (sub && (plan->reaches_node || w->msg))
			walk_message(w, plan, sub);
		if (w->post && !w->stopped)
			w->post(w, slot);
	}
	w->depth--;
}

void sql_walk(struct sql_walk *w, PgQuery__Node **slot)
{
	pthread_once(&plans_once, plans_build);
	if (slot && *slot && !w->stopped)
		walk_node(w, slot);
}
