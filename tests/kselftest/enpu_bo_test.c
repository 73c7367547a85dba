// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffer objects: BO_CREATE, BO_INFO, mmap, BO_USERPTR, and dma-buf export and
 * import through PRIME (our own BOs, /dev/dma_heap/system and udmabuf), with the
 * device reading and writing them (DMA_COPY) to prove zero copy.
 */
#include <sys/mman.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "enpu_test.h"

FIXTURE(bo) {
	int fd;
	long page;
};

FIXTURE_SETUP(bo)
{
	self->fd = enpu_test_open(_metadata);
	self->page = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(bo)
{
	close(self->fd);
}

static int bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_enpu_bo_create c = { .size = size, .flags = flags };
	int ret = ioctl(fd, DRM_IOCTL_ENPU_BO_CREATE, &c);

	if (!ret && handle)
		*handle = c.handle;
	return ret;
}

/* One job: copy @size bytes from @src to @dst; returns the job's status. */
static int32_t copy_job(struct __test_metadata *_metadata, int fd, uint64_t src,
			uint32_t src_h, uint64_t dst, uint32_t dst_h, uint64_t size)
{
	struct enpu_bo cmd;
	struct enpu_cs cs = { .bo = &cmd };
	struct drm_enpu_submit_bo bos[2] = {
		{ src_h, DRM_ENPU_BO_READ }, { dst_h, DRM_ENPU_BO_WRITE },
	};
	struct enpu_cmd_dma_copy *d;
	int32_t status = 1;
	int64_t id;

	ASSERT_EQ(0, enpu_bo_new(fd, 4096, &cmd));
	d = ENPU_CS_ADD(&cs, ENPU_CMD_OP_DMA_COPY, struct enpu_cmd_dma_copy);
	d->src = src;
	d->dst = dst;
	d->size = size;
	id = enpu_submit_cs(fd, &cs, bos, src_h == dst_h ? 1 : 2, DRM_ENPU_CORE_ANY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, enpu_wait_job(fd, id, 5000, &status));
	enpu_bo_free(fd, &cmd);
	return status;
}

TEST_F(bo, create_info_mmap)
{
	struct enpu_bo a, b;
	uint64_t off = 0;

	ASSERT_EQ(0, enpu_bo_new(self->fd, 100, &a));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 3 * self->page, &b));
	EXPECT_EQ(self->page, a.size);		/* rounded up to a page */
	EXPECT_EQ(3 * self->page, b.size);
	EXPECT_GE(a.addr, 1ULL << 32);
	EXPECT_EQ(0, a.addr % self->page);
	/* Distinct, non-overlapping, with a guard page between. */
	EXPECT_TRUE(a.addr + a.size < b.addr || b.addr + b.size < a.addr);
	memset(a.map, 0x5a, a.size);
	EXPECT_EQ(0x5a, ((uint8_t *)a.map)[a.size - 1]);
	ASSERT_EQ(0, enpu_bo_info(self->fd, &a, &off));
	EXPECT_NE(0, off);
	enpu_bo_free(self->fd, &a);
	enpu_bo_free(self->fd, &b);
}

TEST_F(bo, create_bad_input)
{
	struct drm_enpu_bo_create c = { .size = 4096, .handle = 1 };

	ASSERT_ERRNO(EINVAL, bo_create(self->fd, 0, 0, NULL));
	ASSERT_ERRNO(EINVAL, bo_create(self->fd, 4096, 1, NULL));
	ASSERT_ERRNO(EINVAL, bo_create(self->fd, 4096, 0x80000000, NULL));
	ASSERT_ERRNO(EINVAL, bo_create(self->fd, (1ULL << 30) + 1, 0, NULL));
	ASSERT_ERRNO(EINVAL, bo_create(self->fd, UINT64_MAX, 0, NULL));
	ASSERT_ERRNO(EINVAL, bo_create(self->fd, UINT64_MAX - 4094, 0, NULL));
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_BO_CREATE, &c));
	ASSERT_ERRNO(EFAULT, ioctl(self->fd, DRM_IOCTL_ENPU_BO_CREATE, (void *)16));
}

TEST_F(bo, info_bad_input)
{
	struct drm_enpu_bo_info info = { .handle = 12345 };
	uint32_t h;

	ASSERT_ERRNO(ENOENT, ioctl(self->fd, DRM_IOCTL_ENPU_BO_INFO, &info));
	info.handle = 0;
	ASSERT_ERRNO(ENOENT, ioctl(self->fd, DRM_IOCTL_ENPU_BO_INFO, &info));
	ASSERT_EQ(0, bo_create(self->fd, 4096, 0, &h));
	info.handle = h;
	info.flags = 1;
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_BO_INFO, &info));
	info.flags = 0;
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_ENPU_BO_INFO, &info));
	ASSERT_EQ(0, enpu_gem_close(self->fd, h));
}

TEST_F(bo, double_close_and_use_after_close)
{
	struct drm_enpu_bo_info info = { 0 };
	uint32_t h;

	ASSERT_EQ(0, bo_create(self->fd, 4096, 0, &h));
	ASSERT_EQ(0, enpu_gem_close(self->fd, h));
	EXPECT_EQ(-EINVAL, enpu_gem_close(self->fd, h));
	info.handle = h;
	ASSERT_ERRNO(ENOENT, ioctl(self->fd, DRM_IOCTL_ENPU_BO_INFO, &info));
}

TEST_F(bo, mmap_bad_offset_fails)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0x1000);

	EXPECT_EQ(MAP_FAILED, p);
}

TEST_F(bo, mapping_survives_handle_close)
{
	struct enpu_bo a;

	ASSERT_EQ(0, enpu_bo_new(self->fd, 4096, &a));
	ASSERT_EQ(0, enpu_gem_close(self->fd, a.handle));
	((uint8_t *)a.map)[0] = 7;	/* the mapping keeps the pages */
	EXPECT_EQ(7, ((uint8_t *)a.map)[0]);
	munmap(a.map, a.size);
}

TEST_F(bo, device_copies_between_bos)
{
	struct enpu_bo a, b;

	ASSERT_EQ(0, enpu_bo_new(self->fd, 2 * self->page, &a));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 2 * self->page, &b));
	for (uint64_t i = 0; i < a.size; i++)
		((uint8_t *)a.map)[i] = (uint8_t)(i * 7 + 1);
	EXPECT_EQ(0, copy_job(_metadata, self->fd, a.addr + 1, a.handle, b.addr + 3, b.handle,
			      a.size - 5));
	EXPECT_EQ(0, memcmp((uint8_t *)a.map + 1, (uint8_t *)b.map + 3, a.size - 5));
	EXPECT_EQ(0, ((uint8_t *)b.map)[0]);
	enpu_bo_free(self->fd, &a);
	enpu_bo_free(self->fd, &b);
}

static int userptr(int fd, void *p, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_enpu_bo_userptr u = { .user_ptr = (uintptr_t)p, .size = size, .flags = flags };
	int ret = ioctl(fd, DRM_IOCTL_ENPU_BO_USERPTR, &u);

	if (!ret && handle)
		*handle = u.handle;
	return ret;
}

TEST_F(bo, userptr_zero_copy_both_ways)
{
	size_t size = 4 * self->page;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct enpu_bo u = { 0 }, b;
	uint64_t off = 0;

	ASSERT_NE(MAP_FAILED, mem);
	for (size_t i = 0; i < size; i++)
		mem[i] = (uint8_t)(i ^ 0x3c);
	ASSERT_EQ(0, userptr(self->fd, mem, size, 0, &u.handle));
	ASSERT_EQ(0, enpu_bo_info(self->fd, &u, &off));
	EXPECT_EQ(0, off);		/* userptr BOs are not mmapped through the device */
	EXPECT_EQ(size, u.size);
	ASSERT_EQ(0, enpu_bo_new(self->fd, size, &b));
	/* device reads user memory */
	EXPECT_EQ(0, copy_job(_metadata, self->fd, u.addr, u.handle, b.addr, b.handle, size));
	EXPECT_EQ(0, memcmp(mem, b.map, size));
	/* device writes user memory, which the process sees without any copy back */
	memset(b.map, 0xe1, size);
	EXPECT_EQ(0, copy_job(_metadata, self->fd, b.addr, b.handle, u.addr + 5, u.handle, 10));
	EXPECT_EQ(0xe1, mem[5]);
	EXPECT_EQ(0xe1, mem[14]);
	EXPECT_EQ((uint8_t)(15 ^ 0x3c), mem[15]);
	enpu_bo_free(self->fd, &b);
	enpu_gem_close(self->fd, u.handle);
	munmap(mem, size);
}

TEST_F(bo, userptr_readonly_cannot_be_written)
{
	size_t size = self->page;
	uint8_t *mem = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_enpu_submit_bo sbo;
	struct enpu_bo cmd, u = { 0 };
	struct enpu_cs cs = { .bo = &cmd };

	ASSERT_NE(MAP_FAILED, mem);
	/* A read-only mapping cannot be pinned writable, but can be read-only. */
	ASSERT_ERRNO(EFAULT, userptr(self->fd, mem, size, 0, NULL));
	ASSERT_EQ(0, userptr(self->fd, mem, size, DRM_ENPU_BO_USERPTR_READONLY, &u.handle));
	ASSERT_EQ(0, enpu_bo_info(self->fd, &u, NULL));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 4096, &cmd));
	ENPU_CS_ADD(&cs, ENPU_CMD_OP_NOP, struct enpu_cmd_hdr);
	sbo.handle = u.handle;
	sbo.flags = DRM_ENPU_BO_WRITE;
	EXPECT_EQ(-EACCES, enpu_submit_cs(self->fd, &cs, &sbo, 1, DRM_ENPU_CORE_ANY));
	sbo.flags = DRM_ENPU_BO_READ;
	EXPECT_LT(0, enpu_submit_cs(self->fd, &cs, &sbo, 1, DRM_ENPU_CORE_ANY));
	enpu_bo_free(self->fd, &cmd);
	enpu_gem_close(self->fd, u.handle);
	munmap(mem, size);
}

TEST_F(bo, userptr_bad_input)
{
	size_t size = 2 * self->page;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_enpu_bo_userptr u = { .user_ptr = (uintptr_t)mem, .size = 4096, .handle = 3 };

	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_ERRNO(EINVAL, userptr(self->fd, mem + 1, self->page, 0, NULL));	/* unaligned */
	ASSERT_ERRNO(EINVAL, userptr(self->fd, mem, 100, 0, NULL));		/* size unaligned */
	ASSERT_ERRNO(EINVAL, userptr(self->fd, mem, 0, 0, NULL));
	ASSERT_ERRNO(EINVAL, userptr(self->fd, mem, self->page, 2, NULL));	/* unknown flag */
	ASSERT_ERRNO(EINVAL, userptr(self->fd, mem, 1ULL << 31, 0, NULL));	/* too big */
	ASSERT_ERRNO(EFAULT, userptr(self->fd, NULL, self->page, 0, NULL));	/* unmapped */
	ASSERT_ERRNO(EFAULT, userptr(self->fd, mem, 64 * self->page, 0, NULL));	/* runs off */
	ASSERT_ERRNO(EFAULT, userptr(self->fd, (void *)(-4096L), self->page, 0, NULL));
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, DRM_IOCTL_ENPU_BO_USERPTR, &u));	/* handle in */
	munmap(mem, size);
}

TEST_F(bo, userptr_export_is_refused)
{
	void *mem = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_prime_handle ph = { .flags = DRM_CLOEXEC };

	ASSERT_EQ(0, userptr(self->fd, mem, self->page, 0, &ph.handle));
	ASSERT_ERRNO(EOPNOTSUPP, ioctl(self->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph));
	munmap(mem, self->page);
}

static int prime_export(int fd, uint32_t handle)
{
	struct drm_prime_handle ph = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };

	return ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph) ? -errno : ph.fd;
}

static int prime_import(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle ph = { .fd = dmabuf };

	if (ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		return -errno;
	*handle = ph.handle;
	return 0;
}

TEST_F(bo, prime_between_contexts)
{
	int fd2 = enpu_open_node();
	struct enpu_bo a, imp = { 0 }, b2;
	int dmabuf;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, enpu_bo_new(self->fd, self->page, &a));
	memset(a.map, 0x42, a.size);
	dmabuf = prime_export(self->fd, a.handle);
	ASSERT_LE(0, dmabuf);
	ASSERT_EQ(0, prime_import(fd2, dmabuf, &imp.handle));
	ASSERT_EQ(0, enpu_bo_map(fd2, &imp));
	EXPECT_EQ(a.size, imp.size);
	EXPECT_EQ(0x42, ((uint8_t *)imp.map)[7]);
	/* the importing context's device copies out of the shared buffer */
	ASSERT_EQ(0, enpu_bo_new(fd2, self->page, &b2));
	EXPECT_EQ(0, copy_job(_metadata, fd2, imp.addr, imp.handle, b2.addr, b2.handle, 64));
	EXPECT_EQ(0x42, ((uint8_t *)b2.map)[63]);
	/* re-importing in the same context gives the same handle */
	uint32_t again = 0;

	ASSERT_EQ(0, prime_import(fd2, dmabuf, &again));
	EXPECT_EQ(imp.handle, again);
	close(dmabuf);
	enpu_bo_free(fd2, &b2);
	enpu_bo_free(fd2, &imp);
	enpu_bo_free(self->fd, &a);
	close(fd2);
}

TEST_F(bo, import_dma_heap_system)
{
	struct dma_heap_allocation_data alloc = {
		.len = 2 * self->page, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	struct enpu_bo imp = { 0 }, b;
	uint8_t *p;

	if (heap < 0)
		SKIP(return, "/dev/dma_heap/system: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc));
	p = mmap(NULL, alloc.len, PROT_READ | PROT_WRITE, MAP_SHARED, alloc.fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x17, alloc.len);
	ASSERT_EQ(0, prime_import(self->fd, alloc.fd, &imp.handle));
	ASSERT_EQ(0, enpu_bo_info(self->fd, &imp, NULL));
	ASSERT_EQ(0, enpu_bo_new(self->fd, 2 * self->page, &b));
	EXPECT_EQ(0, copy_job(_metadata, self->fd, imp.addr, imp.handle, b.addr, b.handle,
			      alloc.len));
	EXPECT_EQ(0x17, ((uint8_t *)b.map)[alloc.len - 1]);
	memset(b.map, 0x99, 8);
	EXPECT_EQ(0, copy_job(_metadata, self->fd, b.addr, b.handle, imp.addr + 100,
			      imp.handle, 8));
	EXPECT_EQ(0x99, p[107]);
	EXPECT_EQ(0x17, p[108]);
	munmap(p, alloc.len);
	enpu_bo_free(self->fd, &b);
	enpu_gem_close(self->fd, imp.handle);
	close(alloc.fd);
	close(heap);
}

TEST_F(bo, import_udmabuf)
{
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	int memfd = memfd_create("enpu-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	struct udmabuf_create create = { .offset = 0, .size = 2 * self->page };
	struct enpu_bo imp = { 0 }, b;
	uint8_t *p;
	int buf;

	if (dev < 0)
		SKIP(return, "/dev/udmabuf: %s", strerror(errno));
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, create.size));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	p = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x6b, create.size);
	create.memfd = memfd;
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, prime_import(self->fd, buf, &imp.handle));
	ASSERT_EQ(0, enpu_bo_info(self->fd, &imp, NULL));
	ASSERT_EQ(0, enpu_bo_new(self->fd, self->page, &b));
	EXPECT_EQ(0, copy_job(_metadata, self->fd, imp.addr + self->page - 8, imp.handle,
			      b.addr, b.handle, 16));	/* crosses a page of the memfd */
	EXPECT_EQ(0x6b, ((uint8_t *)b.map)[15]);
	memset(b.map, 0x21, 4);
	EXPECT_EQ(0, copy_job(_metadata, self->fd, b.addr, b.handle, imp.addr, imp.handle, 4));
	EXPECT_EQ(0x21, p[3]);		/* the device wrote the memfd's pages */
	enpu_bo_free(self->fd, &b);
	enpu_gem_close(self->fd, imp.handle);
	close(buf);
	munmap(p, create.size);
	close(memfd);
	close(dev);
}

TEST_F(bo, import_bad_fd)
{
	uint32_t h;
	int memfd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);

	EXPECT_EQ(-EBADF, prime_import(self->fd, 999, &h));
	EXPECT_EQ(-EINVAL, prime_import(self->fd, memfd, &h));
	close(memfd);
}

TEST_HARNESS_MAIN
