/* SPDX-License-Identifier: MIT */
/* enpu HAL: graphs of ops (a model) for the dispatcher (dispatch.h).
 *
 * A graph's values are ordinary tensors (tensor.h) the application creates in
 * host-accessible buffers (every device can use buffers allocated on the CPU
 * device). An op is added with the same descriptor as enpu_cmd_* and is
 * validated the same way at once. Edges follow from tensor identity: the op
 * that writes a tensor produces it, the ops that read it consume it.
 * enpu_graph_finalize() checks the whole graph (each tensor written by at most
 * one op, every read tensor produced, a graph input or constant, no cycles, no
 * produced tensor left unused, distinct tensors do not overlap in memory) and
 * seals it. Docs: docs/dispatch.md.
 * Thread safety: building one graph is single-threaded; a finalized graph is
 * immutable except for forced placements, which must not change while a plan
 * of it is being made. */
#ifndef ENPU_GRAPH_H
#define ENPU_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct enpu_graph enpu_graph_t;

#define ENPU_GRAPH_NAME_MAX 32

enpu_status_t enpu_graph_create(enpu_graph_t **out_graph);
void enpu_graph_retain(enpu_graph_t *graph);
void enpu_graph_release(enpu_graph_t *graph);

/* Adds an op; name (unique in the graph, < ENPU_GRAPH_NAME_MAX chars, may be
 * NULL for "opN") identifies it in placements and explanations. The
 * descriptor is validated as enpu_cmd_* does; tensors are retained. *out_op
 * (may be NULL) receives the op's index (ops are numbered in order added). */
enpu_status_t enpu_graph_add_gemm(enpu_graph_t *graph, const char *name,
				  const enpu_gemm_params_t *p, size_t *out_op);
enpu_status_t enpu_graph_add_conv2d(enpu_graph_t *graph, const char *name,
				    const enpu_conv2d_params_t *p, size_t *out_op);
enpu_status_t enpu_graph_add_pool(enpu_graph_t *graph, const char *name,
				  const enpu_pool_params_t *p, size_t *out_op);
enpu_status_t enpu_graph_add_add(enpu_graph_t *graph, const char *name,
				 const enpu_eltwise_params_t *p, size_t *out_op);
enpu_status_t enpu_graph_add_mul(enpu_graph_t *graph, const char *name,
				 const enpu_eltwise_params_t *p, size_t *out_op);
enpu_status_t enpu_graph_add_requantize(enpu_graph_t *graph, const char *name,
					const enpu_requantize_params_t *p, size_t *out_op);
enpu_status_t enpu_graph_add_cast(enpu_graph_t *graph, const char *name,
				  const enpu_cast_params_t *p, size_t *out_op);

/* Declares a tensor the application fills before each run (inputs) or reads
 * after it (outputs). Constant tensors (ENPU_TENSOR_CONSTANT) need no
 * declaration. */
enpu_status_t enpu_graph_add_input(enpu_graph_t *graph, enpu_tensor_t *tensor);
enpu_status_t enpu_graph_add_output(enpu_graph_t *graph, enpu_tensor_t *tensor);

/* Forces op onto the device named device_name ("npu0"; NULL clears). Checked
 * when a plan is made: an unknown device or one without the op's kind/dtype
 * fails the plan with INVALID_ARGUMENT. Allowed after finalize. */
enpu_status_t enpu_graph_force_device(enpu_graph_t *graph, size_t op, const char *device_name);
/* The priority the graph's work is submitted at (default NORMAL): the
 * dispatcher submits a graph's ops through device handles opened with it
 * (enpu_device_options_t.priority; docs/dispatch.md says what each backend
 * does with it). Takes effect at the next run. */
enpu_status_t enpu_graph_set_priority(enpu_graph_t *graph, enpu_priority_t priority);
enpu_priority_t enpu_graph_priority(const enpu_graph_t *graph);
/* The op named name; OUT_OF_RANGE if there is none. */
enpu_status_t enpu_graph_find_op(const enpu_graph_t *graph, const char *name, size_t *out_op);

/* Validates and seals the graph (see the top of this file). Errors:
 * INVALID_ARGUMENT naming the ops/tensors involved ("cycle", "written by two
 * ops", "read but never written", "written but never read", "overlap"),
 * FAILED_PRECONDITION when there are no ops or it was already finalized. */
enpu_status_t enpu_graph_finalize(enpu_graph_t *graph);

typedef struct enpu_graph_op_info {
	char name[ENPU_GRAPH_NAME_MAX];
	enpu_op_kind_t kind;
	enpu_dtype_t dtype;       /* of the first input */
	char shape[160];          /* "1x56x56x24 k3x3 s1x1 d1x1 g24 -> 1x56x56x24" (cost key) */
	double macs;              /* multiply-accumulates (0 for pointwise ops) */
	size_t output_bytes;
	char forced_device[32];   /* "" when not forced */
	size_t pred_count;        /* producers of its inputs (finalized graphs) */
	size_t preds[3];
} enpu_graph_op_info_t;

size_t enpu_graph_op_count(const enpu_graph_t *graph);
enpu_status_t enpu_graph_op_info(const enpu_graph_t *graph, size_t op,
				 enpu_graph_op_info_t *out_info);
/* Declared outputs, in declaration order (borrowed; valid while the graph lives). */
size_t enpu_graph_output_count(const enpu_graph_t *graph);
enpu_tensor_t *enpu_graph_output(const enpu_graph_t *graph, size_t index);
size_t enpu_graph_input_count(const enpu_graph_t *graph);
enpu_tensor_t *enpu_graph_input(const enpu_graph_t *graph, size_t index);

/* Sample models for tools, tests and benchmarks, with deterministic random
 * weights and inputs from seed, tensors allocated on device (use the CPU
 * device: its buffers are usable by every device). name:
 *   "mobilenetv2": the MobileNetV2 topology, INT8 (conv 3x3/2, 17 inverted
 *       residual blocks of 1x1 expand, 3x3 depthwise, 1x1 project and the
 *       residual ADDs, 1x1 conv to 1280, average pool, FC to 1000 classes),
 *       input size x size x 3 (224 is the real model; multiple of 32);
 *   "branches": a mixed INT8/FP16 graph with four parallel branches (conv
 *       chains, a depthwise + pool branch, a cast -> FP16 conv -> cast
 *       branch) joined by ADDs and an FC, input size x size x 32;
 *   "tiny": 8 ops, two branches of GEMMs and pointwise ops joined by an ADD
 *       (size = the GEMM dimension), for exhaustive-search comparisons.
 * INVALID_ARGUMENT for an unknown name or a size the model cannot take. The
 * graph is finalized. */
enpu_status_t enpu_graph_create_sample(enpu_device_t *device, const char *name, uint32_t size,
				       uint64_t seed, enpu_graph_t **out_graph);

#ifdef __cplusplus
}
#endif
#endif
