/* SPDX-License-Identifier: MIT */
/* Tensors: shape/dtype/quantization views of buffers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "buffer_impl.h"
#include "tensor_impl.h"

size_t enpu_dtype_size(enpu_dtype_t dtype)
{
	switch (dtype) {
	case ENPU_DTYPE_INT8:
	case ENPU_DTYPE_UINT8: return 1;
	case ENPU_DTYPE_FP16: return 2;
	case ENPU_DTYPE_INT32:
	case ENPU_DTYPE_FP32: return 4;
	}
	return 0;
}

const char *enpu_dtype_name(enpu_dtype_t dtype)
{
	switch (dtype) {
	case ENPU_DTYPE_INT8: return "int8";
	case ENPU_DTYPE_UINT8: return "uint8";
	case ENPU_DTYPE_INT32: return "int32";
	case ENPU_DTYPE_FP16: return "fp16";
	case ENPU_DTYPE_FP32: return "fp32";
	}
	return "unknown";
}

static enpu_status_t bad(const char *what, long long v)
{
	return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT, "enpu_tensor_create: %s (%lld)",
				what, v);
}

static enpu_status_t check_zp(enpu_dtype_t dtype, int32_t zp)
{
	int32_t lo = dtype == ENPU_DTYPE_UINT8 ? 0 : -128;
	int32_t hi = dtype == ENPU_DTYPE_UINT8 ? 255 : 127;
	if (dtype == ENPU_DTYPE_INT32)
		return zp == 0 ? ENPU_OK : bad("int32 tensors need zero point 0", zp);
	if (zp < lo || zp > hi)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_tensor_create: zero point %d outside %s range [%d, %d]",
					zp, enpu_dtype_name(dtype), lo, hi);
	return ENPU_OK;
}

static enpu_status_t check_scale(float s)
{
	if (!(s > 0.0f) || !isfinite(s))
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_tensor_create: quantization scale %g must be finite and > 0",
					(double)s);
	return ENPU_OK;
}

static enpu_status_t check_quant(const enpu_tensor_desc_t *d)
{
	const enpu_quant_t *q = &d->quant;
	bool integer = d->dtype == ENPU_DTYPE_INT8 || d->dtype == ENPU_DTYPE_UINT8 ||
		       d->dtype == ENPU_DTYPE_INT32;
	if (q->kind == ENPU_QUANT_NONE)
		return ENPU_OK;
	if (!integer)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_tensor_create: %s tensors cannot be quantized",
					enpu_dtype_name(d->dtype));
	if (q->kind == ENPU_QUANT_PER_TENSOR) {
		enpu_status_t st = check_scale(q->scale);
		return st ? st : check_zp(d->dtype, q->zero_point);
	}
	if (q->kind != ENPU_QUANT_PER_CHANNEL)
		return bad("unknown quantization kind", q->kind);
	if (q->axis >= d->rank)
		return bad("per-channel axis out of range", q->axis);
	if (q->count != d->dims[q->axis])
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_tensor_create: per-channel count %zu != dims[%u] = %u",
					q->count, q->axis, d->dims[q->axis]);
	if (!q->scales)
		return bad("per-channel scales is NULL", 0);
	for (size_t i = 0; i < q->count; i++) {
		enpu_status_t st = check_scale(q->scales[i]);
		if (!st && q->zero_points)
			st = check_zp(d->dtype, q->zero_points[i]);
		if (st)
			return st;
	}
	return ENPU_OK;
}

static size_t elements(const enpu_tensor_desc_t *d)
{
	size_t n = 1;
	for (uint32_t i = 0; i < d->rank; i++)
		n *= d->dims[i];
	return n;
}

enpu_status_t enpu_tensor_create(enpu_buffer_t *buffer, size_t offset,
				 const enpu_tensor_desc_t *desc, enpu_tensor_t **out_tensor)
{
	if (out_tensor)
		*out_tensor = NULL;
	if (!buffer || !desc || !out_tensor)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_tensor_create: %s is NULL",
					!buffer ? "buffer" : !desc ? "desc" : "out_tensor");
	size_t esize = enpu_dtype_size(desc->dtype);
	if (esize == 0)
		return bad("unknown dtype", desc->dtype);
	if (desc->rank < 1 || desc->rank > ENPU_MAX_RANK)
		return bad("rank must be 1..4", desc->rank);
	size_t count = 1;
	for (uint32_t i = 0; i < desc->rank; i++) {
		if (desc->dims[i] == 0)
			return bad("dimension is 0 at axis", i);
		if (count > SIZE_MAX / desc->dims[i] / esize)
			return bad("tensor too large at axis", i);
		count *= desc->dims[i];
	}
	if (offset % esize)
		return enpu_status_make(ENPU_STATUS_INVALID_ARGUMENT,
					"enpu_tensor_create: offset %zu not aligned to %s size %zu",
					offset, enpu_dtype_name(desc->dtype), esize);
	if (offset > buffer->size || count * esize > buffer->size - offset)
		return enpu_status_make(ENPU_STATUS_OUT_OF_RANGE,
					"enpu_tensor_create: %zu bytes at offset %zu exceed buffer size %zu",
					count * esize, offset, buffer->size);
	if (desc->flags & ~ENPU_TENSOR_CONSTANT)
		return bad("unknown flags", desc->flags);
	enpu_status_t st = check_quant(desc);
	if (st)
		return st;

	enpu_tensor_t *t = calloc(1, sizeof(*t));
	if (!t)
		return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "tensor: out of memory");
	t->desc = *desc;
	if (desc->quant.kind == ENPU_QUANT_PER_CHANNEL) {
		size_t n = desc->quant.count;
		t->scales = malloc(n * sizeof(float));
		t->zero_points = calloc(n, sizeof(int32_t));
		if (!t->scales || !t->zero_points) {
			free(t->scales);
			free(t->zero_points);
			free(t);
			return enpu_status_make(ENPU_STATUS_RESOURCE_EXHAUSTED, "tensor: out of memory");
		}
		memcpy(t->scales, desc->quant.scales, n * sizeof(float));
		if (desc->quant.zero_points)
			memcpy(t->zero_points, desc->quant.zero_points, n * sizeof(int32_t));
		t->desc.quant.scales = t->scales;
		t->desc.quant.zero_points = t->zero_points;
	} else {
		t->desc.quant.scales = NULL;
		t->desc.quant.zero_points = NULL;
		t->desc.quant.count = 0;
	}
	enpu_ref_init(&t->ref);
	t->buffer = buffer;
	t->offset = offset;
	enpu_buffer_retain(buffer);
	*out_tensor = t;
	return ENPU_OK;
}

void enpu_tensor_retain(enpu_tensor_t *tensor)
{
	if (tensor)
		enpu_ref_inc(&tensor->ref);
}

void enpu_tensor_release(enpu_tensor_t *tensor)
{
	if (tensor && enpu_ref_dec(&tensor->ref)) {
		enpu_buffer_release(tensor->buffer);
		free(tensor->scales);
		free(tensor->zero_points);
		free(tensor);
	}
}

const enpu_tensor_desc_t *enpu_tensor_desc(const enpu_tensor_t *tensor)
{
	return tensor ? &tensor->desc : NULL;
}

enpu_buffer_t *enpu_tensor_buffer(const enpu_tensor_t *tensor)
{
	return tensor ? tensor->buffer : NULL;
}

size_t enpu_tensor_offset(const enpu_tensor_t *tensor)
{
	return tensor ? tensor->offset : 0;
}

size_t enpu_tensor_element_count(const enpu_tensor_t *tensor)
{
	return tensor ? elements(&tensor->desc) : 0;
}

size_t enpu_tensor_byte_size(const enpu_tensor_t *tensor)
{
	return tensor ? elements(&tensor->desc) * enpu_dtype_size(tensor->desc.dtype) : 0;
}

/* Where a and b start, comparable (false: in different memory) */
static bool starts(const enpu_tensor_t *a, const enpu_tensor_t *b, uintptr_t *pa, uintptr_t *pb)
{
	*pa = a->offset;
	*pb = b->offset;
	if (a->buffer->host && b->buffer->host) {
		*pa += (uintptr_t)a->buffer->host;
		*pb += (uintptr_t)b->buffer->host;
		return true;
	}
	return a->buffer == b->buffer;
}

bool enpu_tensor_shares_memory(const enpu_tensor_t *a, const enpu_tensor_t *b)
{
	uintptr_t pa, pb;

	return starts(a, b, &pa, &pb) && pa < pb + enpu_tensor_byte_size(b) &&
	       pb < pa + enpu_tensor_byte_size(a);
}

bool enpu_tensor_same_memory(const enpu_tensor_t *a, const enpu_tensor_t *b)
{
	uintptr_t pa, pb;

	return starts(a, b, &pa, &pb) && pa == pb &&
	       enpu_tensor_byte_size(a) == enpu_tensor_byte_size(b);
}
