// SPDX-License-Identifier: GPL-2.0-only
/*
 * SUBMIT and WAIT: the normal path, every kind of bad input, command-stream
 * validation, memory faults (forged addresses, writes to read-only BOs), and
 * isolation between contexts.
 */
#include "enpu_test.h"

FIXTURE(job) {
	int fd;
	struct enpu_bo cmd;
	struct enpu_bo buf;
	struct enpu_cs cs;
	struct drm_enpu_submit s;
	struct drm_enpu_submit_bo bos[2];
};

FIXTURE_SETUP(job)
{
	self->fd = enpu_test_open(_metadata);
	ASSERT_EQ(0, enpu_bo_new(self->fd, 4096, &self->cmd));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 8192, &self->buf));
	self->cs.bo = &self->cmd;
	self->bos[0].handle = self->buf.handle;
	self->bos[0].flags = DRM_ENPU_BO_READ | DRM_ENPU_BO_WRITE;
	/* A valid submit of one NOP; tests break one field at a time. */
	ENPU_CS_ADD(&self->cs, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	self->s = (struct drm_enpu_submit){
		.bos = (uintptr_t)self->bos, .bo_count = 1,
		.cmd_handle = self->cmd.handle, .cmd_size = self->cs.used,
		.core = DRM_ENPU_CORE_ANY, .priority = DRM_ENPU_PRIORITY_NORMAL,
	};
}

FIXTURE_TEARDOWN(job)
{
	close(self->fd);
}

static int submit(int fd, struct drm_enpu_submit *s)
{
	s->job_id = 0;
	return ioctl(fd, DRM_IOCTL_ENPU_SUBMIT, s);
}

TEST_F(job, nop_completes_with_increasing_ids)
{
	int32_t status = 1;

	ASSERT_EQ(0, submit(self->fd, &self->s));
	EXPECT_EQ(1, self->s.job_id);
	ASSERT_EQ(0, submit(self->fd, &self->s));
	EXPECT_EQ(2, self->s.job_id);
	ASSERT_EQ(0, enpu_wait_job(self->fd, 2, 5000, &status));
	EXPECT_EQ(0, status);
	ASSERT_EQ(0, enpu_wait_job(self->fd, 1, 0, &status));	/* done: poll succeeds */
	EXPECT_EQ(0, status);
}

TEST_F(job, every_core_and_priority)
{
	int32_t status = 1;

	for (uint32_t core = 0; core < 2; core++) {
		for (uint32_t prio = 0; prio <= DRM_ENPU_PRIORITY_HIGH; prio++) {
			self->s.core = core;
			self->s.priority = prio;
			ASSERT_EQ(0, submit(self->fd, &self->s));
			ASSERT_EQ(0, enpu_wait_job(self->fd, self->s.job_id, 5000, &status));
			EXPECT_EQ(0, status);
		}
	}
}

TEST_F(job, no_bos_is_fine)
{
	self->s.bo_count = 0;
	self->s.bos = 0;
	ASSERT_EQ(0, submit(self->fd, &self->s));
}

TEST_F(job, bad_header_fields)
{
	struct drm_enpu_submit s = self->s;

	s.flags = 2;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.flags = 0x80000000;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s = self->s;
	s.pad = 1;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s = self->s;
	s.job_id = 7;
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_SUBMIT, &s));
	s = self->s;
	s.core = 2;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.core = DRM_ENPU_CORE_ANY - 1;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s = self->s;
	s.priority = 3;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	ASSERT_ERRNO(EFAULT, ioctl(self->fd, DRM_IOCTL_ENPU_SUBMIT, (void *)64));
}

TEST_F(job, bad_command_stream_range)
{
	struct drm_enpu_submit s = self->s;

	s.cmd_size = 0;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.cmd_size = 12;				/* not a multiple of 8 */
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.cmd_size = 65536 + 8;				/* above MAX_CMD_SIZE */
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.cmd_size = 8;
	s.cmd_offset = 4;				/* unaligned */
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.cmd_offset = 4096;				/* past the BO */
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.cmd_offset = 4088;
	s.cmd_size = 16;				/* runs off the BO */
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.cmd_offset = UINT64_MAX - 7;			/* offset + size overflows */
	s.cmd_size = 16;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s = self->s;
	s.cmd_handle = 9999;
	ASSERT_ERRNO(ENOENT, submit(self->fd, &s));
}

TEST_F(job, bad_bo_list)
{
	struct drm_enpu_submit_bo bos[2] = { self->bos[0], self->bos[0] };
	struct drm_enpu_submit s = self->s;

	s.bo_count = 257;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.bo_count = 1;
	s.bos = 8;
	ASSERT_ERRNO(EFAULT, submit(self->fd, &s));
	s.bos = (uintptr_t)bos;
	bos[0].handle = 4242;
	ASSERT_ERRNO(ENOENT, submit(self->fd, &s));
	bos[0] = self->bos[0];
	bos[0].flags = 0;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	bos[0].flags = 4;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	bos[0] = self->bos[0];
	s.bo_count = 2;					/* the same BO twice */
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
}

TEST_F(job, bad_syncs)
{
	struct drm_enpu_sync sync = { .handle = 777 };
	struct drm_enpu_submit s = self->s;

	s.in_sync_count = 65;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.in_sync_count = 1;
	s.in_syncs = (uintptr_t)&sync;
	ASSERT_ERRNO(ENOENT, submit(self->fd, &s));
	s.in_syncs = 16;
	ASSERT_ERRNO(EFAULT, submit(self->fd, &s));
	s = self->s;
	s.out_sync_count = 65;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.out_sync_count = 1;
	s.out_syncs = (uintptr_t)&sync;
	ASSERT_ERRNO(ENOENT, submit(self->fd, &s));
	struct drm_syncobj_create sc = { 0 };

	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc));
	sync.handle = sc.handle;
	sync.flags = 1;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
	s.out_sync_count = 0;
	s.in_sync_count = 1;
	s.in_syncs = (uintptr_t)&sync;
	ASSERT_ERRNO(EINVAL, submit(self->fd, &s));
}

/* Rewrites the stream to exactly @n bytes at @p and submits it. */
static int submit_stream(FIXTURE_DATA(job) *self, const void *p, uint32_t n)
{
	memcpy(self->cmd.map, p, n);
	self->s.cmd_size = n;
	return submit(self->fd, &self->s);
}

#define STREAM_INVALID(desc) \
	ASSERT_ERRNO(EINVAL, submit_stream(self, &(desc), sizeof(desc)))

TEST_F(job, descriptor_validation)
{
	struct enpu_cmd_hdr h = { .opcode = ENPU_CMD_OP_NOP, .size = 8 };
	struct enpu_cmd_dma_copy d = {
		.hdr = { .opcode = ENPU_CMD_OP_DMA_COPY, .size = sizeof(d) },
		.src = self->buf.addr, .dst = self->buf.addr + 4096, .size = 16,
	};
	struct enpu_cmd_gemm g = {
		.hdr = { .opcode = ENPU_CMD_OP_GEMM_I8, .size = sizeof(g) },
		.m = 1, .n = 1, .k = 1, .lda = 1, .ldb = 1, .ldc = 1,
		.q = { .act_min = -128, .act_max = 127 },
	};
	uint64_t two[2] = { 0 };

	h.opcode = ENPU_CMD_OP_COUNT;			/* unknown opcode */
	STREAM_INVALID(h);
	h.opcode = 0xffff;
	STREAM_INVALID(h);
	h.opcode = ENPU_CMD_OP_NOP;
	h.size = 16;					/* wrong size for the opcode */
	STREAM_INVALID(h);
	h.size = 8;
	h.flags = 1;					/* no flags on NOP */
	STREAM_INVALID(h);
	h.flags = 0;
	ASSERT_EQ(0, submit_stream(self, &h, sizeof(h)));
	/* a descriptor truncated by the end of the stream */
	ASSERT_ERRNO(EINVAL, submit_stream(self, &d, 16));
	d.hdr.size = 0;					/* would loop forever */
	ASSERT_ERRNO(EINVAL, submit_stream(self, &d, sizeof(d)));
	d.hdr.size = sizeof(d);
	ASSERT_EQ(0, submit_stream(self, &d, sizeof(d)));
	d.size = 0;
	STREAM_INVALID(d);
	d.size = (1ULL << 30) + 1;
	STREAM_INVALID(d);
	d.size = 16;
	d.hdr.flags = 2;
	STREAM_INVALID(d);
	/* GEMM: dimensions, strides, reserved fields, quant ranges */
	ASSERT_EQ(0, submit_stream(self, &g, sizeof(g)));
	g.m = 0;
	STREAM_INVALID(g);
	g.m = 65537;
	STREAM_INVALID(g);
	g.m = 1;
	g.lda = 0;					/* lda < k */
	STREAM_INVALID(g);
	g.lda = 1;
	g.pad = 1;
	STREAM_INVALID(g);
	g.pad = 0;
	g.q.pad = 1;
	STREAM_INVALID(g);
	g.q.pad = 0;
	g.a_zp = 128;
	STREAM_INVALID(g);
	g.a_zp = 0;
	g.q.act_min = 5;
	g.q.act_max = 4;
	STREAM_INVALID(g);
	g.q.act_min = -128;
	g.q.act_max = 127;
	g.q.mult = 2;					/* unaligned int32 array */
	STREAM_INVALID(g);
	g.q.mult = 0;
	g.bias = 64;					/* bias without the flag */
	STREAM_INVALID(g);
	g.bias = 0;
	g.hdr.flags = 2;
	STREAM_INVALID(g);
	g.hdr.flags = 0;
	g.k = 65536;
	g.lda = UINT32_MAX;				/* extent overflows the limit */
	g.m = 65536;
	STREAM_INVALID(g);
	/* a valid NOP followed by garbage */
	two[0] = 8ULL << 32;				/* NOP, size 8 */
	two[1] = 0xdeadbeefULL;
	ASSERT_ERRNO(EINVAL, submit_stream(self, two, sizeof(two)));
}

TEST_F(job, conv_and_pool_geometry_validated)
{
	const struct enpu_cmd_conv2d c0 = {
		.hdr = { .opcode = ENPU_CMD_OP_CONV2D_I8, .size = sizeof(c0) },
		.n = 1, .h = 5, .w = 5, .cin = 4, .cout = 4, .kh = 3, .kw = 3,
		.stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1,
		.out_h = 3, .out_w = 3, .q = { .act_min = -128, .act_max = 127 },
	};
	struct enpu_cmd_conv2d c = c0;
	struct enpu_cmd_pool p = {
		.hdr = { .opcode = ENPU_CMD_OP_POOL_I8, .size = sizeof(p) },
		.n = 1, .h = 4, .w = 4, .c = 1, .kh = 2, .kw = 2, .stride_h = 2, .stride_w = 2,
		.out_h = 2, .out_w = 2, .act_min = -128, .act_max = 127,
	};

	ASSERT_EQ(0, submit_stream(self, &c, sizeof(c)));
	c.out_h = 4;					/* wrong output size */
	STREAM_INVALID(c);
	c.out_h = 3;
	c.groups = 3;					/* does not divide 4 */
	STREAM_INVALID(c);
	c.groups = 1;
	c.kh = 7;					/* kernel larger than the input */
	STREAM_INVALID(c);
	c.kh = 3;
	c.stride_h = 0;
	STREAM_INVALID(c);
	c.stride_h = 1;
	c.dil_w = 0;
	STREAM_INVALID(c);
	c.dil_w = 1;
	/* a reduction kh * kw * cin / groups past 65536: 4 * 129 * 128 */
	c.h = 129;
	c.w = 128;
	c.kh = 129;
	c.kw = 128;
	c.out_h = 1;
	c.out_w = 1;
	STREAM_INVALID(c);
	c.kw = 127;
	c.cin = 2;					/* 2 * 129 * 127 = 32766: fine */
	c.cout = 2;
	c.out_w = 2;
	ASSERT_EQ(0, submit_stream(self, &c, sizeof(c)));
	/* an output wider than 65536 (stride 1, padding 65535 a side) */
	c.h = 1;
	c.kh = 1;
	c.kw = 1;
	c.w = 1;
	c.out_h = 1;
	c.pad_left = 65535;
	c.pad_right = 65535;
	c.out_w = 131071;
	STREAM_INVALID(c);
	c = c0;
	c.hdr.opcode = ENPU_CMD_OP_CONV2D_F16;
	c.in_zp = 1;					/* F16 has no zero points */
	STREAM_INVALID(c);
	ASSERT_EQ(0, submit_stream(self, &p, sizeof(p)));
	p.mode = 2;
	STREAM_INVALID(p);
	p.mode = ENPU_CMD_POOL_AVG;
	p.pad_top = 2;					/* a window of padding only */
	STREAM_INVALID(p);
	p.pad_top = 0;
	/* a window of 257 x 256 > 65536 elements, then 256 x 256 */
	p.h = 257;
	p.w = 256;
	p.kh = 257;
	p.kw = 256;
	p.out_h = 1;
	p.out_w = 1;
	STREAM_INVALID(p);
	p.h = 256;
	p.kh = 256;
	ASSERT_EQ(0, submit_stream(self, &p, sizeof(p)));
}

TEST_F(job, requant_and_eltwise_validated)
{
	struct enpu_cmd_requant r = {
		.hdr = { .opcode = ENPU_CMD_OP_REQUANT, .size = sizeof(r) },
		.count = 4, .mode = ENPU_CMD_REQUANT_I8_F16, .scale_bits = 0x3f800000,
	};
	struct enpu_cmd_eltwise e = {
		.hdr = { .opcode = ENPU_CMD_OP_ELTWISE_I8, .size = sizeof(e) },
		.count = 4, .op = ENPU_CMD_ELTWISE_MUL, .out_mult = 1 << 30,
		.act_min = -128, .act_max = 127,
	};

	ASSERT_EQ(0, submit_stream(self, &r, sizeof(r)));
	r.scale_bits = 0x7f800000;			/* inf */
	STREAM_INVALID(r);
	r.scale_bits = 0xbf800000;			/* negative */
	STREAM_INVALID(r);
	r.scale_bits = 0;
	STREAM_INVALID(r);
	r.scale_bits = 0x3f800000;
	r.mode = 3;
	STREAM_INVALID(r);
	r.mode = ENPU_CMD_REQUANT_I8_I8;			/* needs a clamp range, no scale */
	STREAM_INVALID(r);
	ASSERT_EQ(0, submit_stream(self, &e, sizeof(e)));
	e.out_shift = 31;
	STREAM_INVALID(e);
	e.out_shift = 0;
	e.a_mult = 1;					/* MUL takes no input rescale */
	STREAM_INVALID(e);
	e.a_mult = 0;
	e.out_mult = -1;
	STREAM_INVALID(e);
	e.out_mult = 1;
	e.op = 2;
	STREAM_INVALID(e);
}

/* One DMA_COPY job; returns its status. */
static int32_t copy_status(struct __test_metadata *_metadata, FIXTURE_DATA(job) *self,
			   uint64_t src, uint64_t dst, uint64_t size)
{
	struct enpu_cmd_dma_copy d = {
		.hdr = { .opcode = ENPU_CMD_OP_DMA_COPY, .size = sizeof(d) },
		.src = src, .dst = dst, .size = size,
	};
	int32_t status = 1;

	ASSERT_EQ(0, submit_stream(self, &d, sizeof(d)));
	ASSERT_EQ(0, enpu_wait_job(self->fd, self->s.job_id, 5000, &status));
	return status;
}

TEST_F(job, forged_addresses_fault)
{
	uint64_t a = self->buf.addr, sz = self->buf.size;

	memset(self->buf.map, 0x11, sz);
	EXPECT_EQ(0, copy_status(_metadata, self, a, a + 4096, 4096));
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, 0, a, 16));		/* null */
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, a, 4096, 16));	/* below VA */
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, a + sz, a, 16));	/* guard page */
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, a, a + sz - 8, 16));	/* runs off */
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, a - 1, a, 16));	/* starts before */
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, UINT64_MAX - 7, a, 8));
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, a, UINT64_MAX - 3, 8));
	/* the command BO is not in the job's list: not addressable */
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, self->cmd.addr, a, 8));
	/* nothing was written by the faulting jobs */
	for (uint64_t i = 0; i < sz; i++)
		ASSERT_EQ(0x11, ((uint8_t *)self->buf.map)[i]);
}

TEST_F(job, write_to_read_only_bo_faults)
{
	memset(self->buf.map, 0x22, self->buf.size);
	self->bos[0].flags = DRM_ENPU_BO_READ;
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, self->buf.addr, self->buf.addr + 4096,
				       8));
	EXPECT_EQ(0x22, ((uint8_t *)self->buf.map)[4096]);
	self->bos[0].flags = DRM_ENPU_BO_WRITE;	/* write-only still reads nothing */
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, self->buf.addr, self->buf.addr + 4096,
				       8));
}

TEST_F(job, fault_keeps_the_device_usable)
{
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, 0, 0, 8));
	EXPECT_EQ(0, copy_status(_metadata, self, self->buf.addr, self->buf.addr + 8, 8));
}

static int mapped_in(const struct enpu_bo *bo, uint64_t addr)
{
	return addr >= bo->addr && addr < bo->addr + bo->size;
}

/*
 * Another context's BOs are unreachable: an address mapped only over there
 * faults here, and an address mapped in both contexts reaches our own BO.
 */
TEST_F(job, contexts_are_isolated)
{
	int fd2 = enpu_open_node();
	uint64_t theirs_only = 0, shared = 0;
	struct enpu_bo other;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, enpu_bo_new(fd2, 4 * 8192, &other));
	memset(other.map, 0x77, other.size);
	memset(self->buf.map, 0, self->buf.size);
	/* Both contexts allocate from the same empty space: addresses collide. */
	for (uint64_t a = other.addr; a < other.addr + other.size; a += 4096) {
		int ours = mapped_in(&self->buf, a) || mapped_in(&self->cmd, a);

		if (!ours && !theirs_only)
			theirs_only = a;
		if (mapped_in(&self->buf, a) && mapped_in(&self->buf, a + 8) && !shared)
			shared = a;
	}
	TH_LOG("ours %#llx, theirs %#llx..%#llx", (unsigned long long)self->buf.addr,
	       (unsigned long long)other.addr, (unsigned long long)(other.addr + other.size));
	ASSERT_NE(0, theirs_only);
	ASSERT_NE(0, shared);
	EXPECT_EQ(-EFAULT, copy_status(_metadata, self, theirs_only, self->buf.addr, 8));
	EXPECT_EQ(0, copy_status(_metadata, self, shared, shared == self->buf.addr ?
				 self->buf.addr + 4096 : self->buf.addr, 8));
	for (uint64_t i = 0; i < self->buf.size; i++)
		ASSERT_EQ(0, ((uint8_t *)self->buf.map)[i]);	/* never 0x77 */
	/* Their handle numbers mean nothing here. */
	self->bos[0].handle = other.handle + 100;
	ASSERT_ERRNO(ENOENT, submit(self->fd, &self->s));
	for (uint64_t i = 0; i < other.size; i++)
		ASSERT_EQ(0x77, ((uint8_t *)other.map)[i]);
	enpu_bo_free(fd2, &other);
	close(fd2);
}

TEST_F(job, wait_bad_input)
{
	struct drm_enpu_wait w = { .type = DRM_ENPU_WAIT_JOB, .job_id = 1 };

	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));	/* no job yet */
	ASSERT_EQ(0, submit(self->fd, &self->s));
	w.job_id = 0;
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
	w.job_id = 2;
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
	w.job_id = 1;
	w.pad = 1;
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
	w.pad = 0;
	w.handle = self->buf.handle;			/* handle only for BO waits */
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
	w.handle = 0;
	w.type = 2;
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
	w.type = DRM_ENPU_WAIT_BO;
	w.handle = 31337;
	w.job_id = 0;
	ASSERT_ERRNO(ENOENT, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
	w.handle = self->buf.handle;
	w.job_id = 1;					/* no job id for BO waits */
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
}

TEST_F(job, wait_bo_idle)
{
	struct drm_enpu_wait w = {
		.type = DRM_ENPU_WAIT_BO, .handle = self->buf.handle,
	};

	ASSERT_EQ(0, submit(self->fd, &self->s));
	w.timeout_ns = enpu_now_ns() + 5000000000LL;
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
	w.timeout_ns = 0;				/* poll an idle BO */
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
}

/*
 * A hung job is still running when a poll or a short wait ends (-ETIME); the
 * timeout then resets its core, the job fails with -ETIMEDOUT, and the next
 * job runs normally.
 */
TEST_F(job, wait_times_out_then_hang_is_reset)
{
	struct drm_enpu_wait w = { .type = DRM_ENPU_WAIT_BO, .handle = self->buf.handle };
	int32_t status = 1;
	int64_t start;

	if (enpu_inject("hang"))
		SKIP(return, "no debugfs fault injection");
	ASSERT_EQ(0, submit(self->fd, &self->s));
	start = enpu_now_ns();
	EXPECT_EQ(-ETIME, enpu_wait_job(self->fd, self->s.job_id, 0, &status));
	EXPECT_EQ(-ETIME, enpu_wait_job(self->fd, self->s.job_id, 20, &status));
	w.timeout_ns = 0;
	ASSERT_ERRNO(ETIME, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
	/* polls return at once (a wait of even one jiffy each would take 400 ms
	 * at HZ=250) */
	int64_t polls = enpu_now_ns();

	for (int i = 0; i < 100; i++)
		ASSERT_ERRNO(ETIME, ioctl(self->fd, DRM_IOCTL_ENPU_WAIT, &w));
	polls = enpu_now_ns() - polls;
	TH_LOG("100 BO polls of a busy BO: %lld us", (long long)(polls / 1000));
	EXPECT_GT(100000000LL, polls);
	ASSERT_EQ(0, enpu_wait_job(self->fd, self->s.job_id, 10000, &status));
	EXPECT_EQ(-ETIMEDOUT, status);
	EXPECT_GE(enpu_now_ns() - start, 1900000000LL);	/* the 2 s job timeout */
	ASSERT_EQ(0, submit(self->fd, &self->s));
	ASSERT_EQ(0, enpu_wait_job(self->fd, self->s.job_id, 5000, &status));
	EXPECT_EQ(0, status);
}

/*
 * One output row of 2^33 MACs (1 x 8192 pixels, each 64 channels of a 1 x
 * 16384 kernel; far longer to simulate than its modelled time): the job
 * timeout stops it mid-row. The sim looked for the abort only between rows:
 * the reset waited for the whole row (a soft lockup of tens of seconds).
 */
TEST_F(job, long_row_stops_at_the_timeout)
{
	const uint32_t kw = 16384, ow = 8192, cout = 64;
	struct enpu_cmd_conv2d *c;
	struct enpu_bo big;
	int32_t status = 1, *mult;
	int64_t start;

	ASSERT_EQ(0, enpu_bo_new(self->fd, 4 << 20, &big));
	memset(big.map, 0, 4 << 20);
	mult = (int32_t *)((char *)big.map + (3 << 20));
	for (uint32_t i = 0; i < cout; i++)
		mult[i] = 1 << 30;
	self->cs.used = 0;
	c = ENPU_CS_ADD(&self->cs, ENPU_CMD_OP_CONV2D_I8, struct enpu_cmd_conv2d);
	c->in = big.addr;
	c->filter = big.addr + (1 << 20);
	c->out = big.addr + (2 << 20);
	c->n = 1;
	c->h = 1;
	c->w = kw + ow - 1;
	c->cin = 1;
	c->cout = cout;
	c->kh = 1;
	c->kw = kw;
	c->stride_h = c->stride_w = c->dil_h = c->dil_w = c->groups = 1;
	c->out_h = 1;
	c->out_w = ow;
	c->q.mult = big.addr + (3 << 20);
	c->q.shift = big.addr + (3 << 20) + 4096;
	c->q.act_min = -128;
	c->q.act_max = 127;
	self->s.cmd_size = self->cs.used;
	self->bos[0].handle = big.handle;
	start = enpu_now_ns();
	ASSERT_EQ(0, submit(self->fd, &self->s));
	ASSERT_EQ(0, enpu_wait_job(self->fd, self->s.job_id, 60000, &status));
	EXPECT_EQ(-ETIMEDOUT, status);
	EXPECT_LT(enpu_now_ns() - start, 15000000000LL);
}

/*
 * A job submitted as soon as a hung job's reset has completed that job waits
 * for the reset to finish instead of starting on the core under reset, where
 * the scheduler would cancel it (-ECANCELED) while the core still ran it.
 * The injected slow reset and late completion hold both windows open.
 */
TEST_F(job, job_right_after_a_reset_runs)
{
	int32_t status = 1;
	uint64_t hung;

	self->s.core = 0;
	if (enpu_inject("hang"))
		SKIP(return, "no debugfs fault injection");
	ASSERT_EQ(0, submit(self->fd, &self->s));
	hung = self->s.job_id;
	ASSERT_EQ(0, enpu_inject_wait_hang_taken());
	ASSERT_EQ(0, enpu_inject("reset 1000"));	/* the reset goes on after the job's end */
	ASSERT_EQ(0, enpu_inject("late 1000"));	/* the next job is still on the core then */
	ASSERT_EQ(0, enpu_wait_job(self->fd, hung, 10000, &status));
	EXPECT_EQ(-ETIMEDOUT, status);
	ASSERT_EQ(0, submit(self->fd, &self->s));
	ASSERT_EQ(0, enpu_wait_job(self->fd, self->s.job_id, 10000, &status));
	EXPECT_EQ(0, status);
	enpu_inject("none");
}

TEST_F(job, injected_fault_at_descriptor)
{
	int32_t status = 1;

	ENPU_CS_ADD(&self->cs, ENPU_CMD_OP_FENCE, struct enpu_cmd_hdr);
	ENPU_CS_ADD(&self->cs, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	self->s.cmd_size = self->cs.used;
	if (enpu_inject("fault 2"))
		SKIP(return, "no debugfs fault injection");
	ASSERT_EQ(0, submit(self->fd, &self->s));
	ASSERT_EQ(0, enpu_wait_job(self->fd, self->s.job_id, 5000, &status));
	EXPECT_EQ(-EFAULT, status);
	ASSERT_EQ(0, submit(self->fd, &self->s));	/* one-shot */
	ASSERT_EQ(0, enpu_wait_job(self->fd, self->s.job_id, 5000, &status));
	EXPECT_EQ(0, status);
}

/* The stream is copied at submit: rewriting the BO afterwards changes nothing. */
TEST_F(job, command_stream_copied_at_submit)
{
	struct enpu_cmd_dma_copy *d;
	int32_t status = 1;

	self->cs.used = 0;
	d = ENPU_CS_ADD(&self->cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
	d->src = self->buf.addr;
	d->dst = self->buf.addr + 4096;
	d->size = 8;
	self->s.cmd_size = self->cs.used;
	memset(self->buf.map, 0x33, 8);
	if (enpu_inject("slow 100"))
		SKIP(return, "no debugfs fault injection");
	ASSERT_EQ(0, submit(self->fd, &self->s));
	d->src = 0;					/* would fault if re-read */
	d->hdr.opcode = 0xffff;
	ASSERT_EQ(0, enpu_inject("none"));
	ASSERT_EQ(0, enpu_wait_job(self->fd, self->s.job_id, 5000, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0x33, ((uint8_t *)self->buf.map)[4096]);
}

TEST_HARNESS_MAIN
