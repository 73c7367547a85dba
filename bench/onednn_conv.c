/* SPDX-License-Identifier: MIT */
/* oneDNN int8 convolution peer (see onednn_conv.h). */
#include <oneapi/dnnl/dnnl.h>
#include <stdbool.h>
#include <stdlib.h>
#include "onednn_conv.h"

struct onednn_conv {
	dnnl_engine_t eng;
	dnnl_stream_t stream;
	dnnl_primitive_t prim;
	dnnl_memory_t src, wei, dst;
};

static dnnl_primitive_desc_t make_pd(const onednn_conv_desc_t *d, dnnl_engine_t eng,
				     bool zero_points)
{
	uint32_t oh = (d->h + 2 * d->pad - d->k) / d->stride + 1;
	uint32_t ow = (d->w + 2 * d->pad - d->k) / d->stride + 1;
	dnnl_memory_desc_t src, wei, dst;
	dnnl_dims_t sd = { 1, d->cin, d->h, d->w }, dd = { 1, d->cout, oh, ow };
	dnnl_memory_desc_init_by_tag(&src, 4, sd, dnnl_s8, dnnl_nhwc);
	dnnl_memory_desc_init_by_tag(&dst, 4, dd, d->sums ? dnnl_s32 : dnnl_s8, dnnl_nhwc);
	if (d->groups == 1) {
		dnnl_dims_t wd = { d->cout, d->cin, d->k, d->k };
		dnnl_memory_desc_init_by_tag(&wei, 4, wd, dnnl_s8, dnnl_format_tag_any);
	} else {
		dnnl_dims_t wd = { d->groups, d->cout / d->groups, d->cin / d->groups, d->k, d->k };
		dnnl_memory_desc_init_by_tag(&wei, 5, wd, dnnl_s8, dnnl_format_tag_any);
	}
	dnnl_convolution_desc_t cd;
	dnnl_dims_t strides = { d->stride, d->stride }, pad = { d->pad, d->pad };
	if (dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
					       &src, &wei, NULL, &dst, strides, pad, pad))
		return NULL;
	dnnl_primitive_attr_t attr;
	dnnl_primitive_attr_create(&attr);
	if (!d->sums)
		dnnl_primitive_attr_set_output_scales(attr, 1, 0, &d->out_scale);
	if (zero_points && !d->sums) {
		dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0, &d->in_zp);
		dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_DST, 1, 0, &d->out_zp);
	}
	if (d->clip_max > 0 && !d->sums) {
		dnnl_post_ops_t po;
		dnnl_post_ops_create(&po);
		dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip, 0.0f, d->clip_max);
		dnnl_primitive_attr_set_post_ops(attr, po);
		dnnl_post_ops_destroy(po);
	}
	dnnl_primitive_desc_t pd = NULL;
	if (dnnl_primitive_desc_create(&pd, &cd, attr, eng, NULL))
		pd = NULL;
	dnnl_primitive_attr_destroy(attr);
	return pd;
}

/* Copies the user's weights into the primitive's layout. */
static bool reorder_weights(onednn_conv_t *c, const onednn_conv_desc_t *d,
			    const dnnl_memory_desc_t *want)
{
	dnnl_memory_desc_t user;
	if (d->groups == 1) {
		dnnl_dims_t wd = { d->cout, d->cin, d->k, d->k };
		dnnl_memory_desc_init_by_tag(&user, 4, wd, dnnl_s8, dnnl_ohwi);
	} else {
		dnnl_dims_t wd = { d->groups, d->cout / d->groups, d->cin / d->groups, d->k, d->k };
		dnnl_memory_desc_init_by_tag(&user, 5, wd, dnnl_s8, dnnl_gohwi);
	}
	dnnl_memory_t um;
	dnnl_primitive_desc_t rpd;
	dnnl_primitive_t r;
	if (dnnl_memory_create(&um, &user, c->eng, (void *)d->weights))
		return false;
	bool ok = !dnnl_memory_create(&c->wei, want, c->eng, DNNL_MEMORY_ALLOCATE) &&
		  !dnnl_reorder_primitive_desc_create(&rpd, &user, c->eng, want, c->eng, NULL);
	if (ok) {
		ok = !dnnl_primitive_create(&r, rpd);
		dnnl_primitive_desc_destroy(rpd);
	}
	if (ok) {
		dnnl_exec_arg_t args[] = { { DNNL_ARG_FROM, um }, { DNNL_ARG_TO, c->wei } };
		ok = !dnnl_primitive_execute(r, c->stream, 2, args) && !dnnl_stream_wait(c->stream);
		dnnl_primitive_destroy(r);
	}
	dnnl_memory_destroy(um);
	return ok;
}

onednn_conv_t *onednn_conv_create(const onednn_conv_desc_t *d, const char **note)
{
	onednn_conv_t *c = calloc(1, sizeof(*c));
	*note = "";
	if (!c || dnnl_engine_create(&c->eng, dnnl_cpu, 0) ||
	    dnnl_stream_create(&c->stream, c->eng, dnnl_stream_default_flags))
		goto fail;
	dnnl_primitive_desc_t pd = make_pd(d, c->eng, true);
	if (!pd) {
		pd = make_pd(d, c->eng, false);
		*note = " (no zero points)";
	}
	if (!pd)
		goto fail;
	bool ok = reorder_weights(c, d, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0)) &&
		  !dnnl_memory_create(&c->src, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
				      c->eng, (void *)d->in) &&
		  !dnnl_memory_create(&c->dst, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
				      c->eng, d->out) &&
		  !dnnl_primitive_create(&c->prim, pd);
	dnnl_primitive_desc_destroy(pd);
	if (ok)
		return c;
fail:
	onednn_conv_destroy(c);
	return NULL;
}

void onednn_conv_run(void *conv)
{
	onednn_conv_t *c = conv;
	dnnl_exec_arg_t args[] = { { DNNL_ARG_SRC, c->src }, { DNNL_ARG_WEIGHTS, c->wei },
				   { DNNL_ARG_DST, c->dst } };
	dnnl_primitive_execute(c->prim, c->stream, 3, args);
	dnnl_stream_wait(c->stream);
}

void onednn_conv_destroy(onednn_conv_t *c)
{
	if (!c)
		return;
	if (c->prim)
		dnnl_primitive_destroy(c->prim);
	dnnl_memory_destroy(c->src);
	dnnl_memory_destroy(c->wei);
	dnnl_memory_destroy(c->dst);
	if (c->stream)
		dnnl_stream_destroy(c->stream);
	if (c->eng)
		dnnl_engine_destroy(c->eng);
	free(c);
}
