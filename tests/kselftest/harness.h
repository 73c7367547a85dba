/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small test harness with the interface of the kernel's kselftest_harness.h
 * (TEST, FIXTURE, FIXTURE_SETUP, FIXTURE_TEARDOWN, TEST_F, ASSERT_*, EXPECT_*,
 * SKIP, TH_LOG) and KTAP output. Each test runs in its own child process with a
 * time limit, so a crash or a hang fails that test alone.
 */
#ifndef ENPU_HARNESS_H
#define ENPU_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

struct __test_metadata {
	const char *fixture;
	const char *name;
	void (*fn)(struct __test_metadata *);
	int timeout;
	int passed;
	int skipped;
	int in_body;
	sigjmp_buf env;
	struct __test_metadata *next;
};

static struct __test_metadata *__tests_head, **__tests_tail = &__tests_head;
static int __tests_count;

static inline void __register_test(struct __test_metadata *t)
{
	*__tests_tail = t;
	__tests_tail = &t->next;
	__tests_count++;
}

#define TH_LOG(fmt, ...) \
	fprintf(stdout, "# %s:%d:%s: " fmt "\n", __FILE__, __LINE__, _metadata->name, ##__VA_ARGS__)

#define TEST_TIMEOUT_DEFAULT 30

/* TEST(name) { body }: a test without a fixture. */
#define TEST(tn) TEST_TIMEOUT(tn, TEST_TIMEOUT_DEFAULT)
#define TEST_TIMEOUT(tn, secs) \
	static void tn(struct __test_metadata *_metadata); \
	static struct __test_metadata __meta_##tn = { \
		.fixture = "global", .name = #tn, .fn = tn, .timeout = secs }; \
	static void __attribute__((constructor)) __reg_##tn(void) \
	{ __register_test(&__meta_##tn); } \
	static void tn(struct __test_metadata __attribute__((unused)) *_metadata)

#define FIXTURE_DATA(f) struct __fixture_##f
#define FIXTURE(f) FIXTURE_DATA(f)
#define FIXTURE_SETUP(f) \
	static void __attribute__((noinline)) __setup_##f(struct __test_metadata __attribute__((unused)) *_metadata, \
				FIXTURE_DATA(f) __attribute__((unused)) *self)
#define FIXTURE_TEARDOWN(f) \
	static void __attribute__((noinline)) __teardown_##f(struct __test_metadata __attribute__((unused)) *_metadata, \
				   FIXTURE_DATA(f) __attribute__((unused)) *self)

/* TEST_F(fixture, name) { body using self-> }: setup, body, teardown (always). */
#define TEST_F(f, tn) TEST_F_TIMEOUT(f, tn, TEST_TIMEOUT_DEFAULT)
#define TEST_F_TIMEOUT(f, tn, secs) \
	static void __attribute__((noinline)) \
	__body_##f##_##tn(struct __test_metadata *_metadata, FIXTURE_DATA(f) *self); \
	static void __wrap_##f##_##tn(struct __test_metadata *_metadata) \
	{ \
		FIXTURE_DATA(f) self; \
		memset(&self, 0, sizeof(self)); \
		if (sigsetjmp(_metadata->env, 0) == 0) { \
			__setup_##f(_metadata, &self); \
			if (_metadata->passed && !_metadata->skipped) { \
				_metadata->in_body = 1; \
				__body_##f##_##tn(_metadata, &self); \
			} \
		} \
		if (_metadata->in_body) { \
			_metadata->in_body = 0; \
			if (sigsetjmp(_metadata->env, 0) == 0) \
				__teardown_##f(_metadata, &self); \
		} \
	} \
	static struct __test_metadata __meta_##f##_##tn = { \
		.fixture = #f, .name = #tn, .fn = __wrap_##f##_##tn, .timeout = secs }; \
	static void __attribute__((constructor)) __reg_##f##_##tn(void) \
	{ __register_test(&__meta_##f##_##tn); } \
	static void __attribute__((noinline)) \
	__body_##f##_##tn(struct __test_metadata __attribute__((unused)) *_metadata, \
					FIXTURE_DATA(f) __attribute__((unused)) *self)

static inline __attribute__((noreturn)) void __harness_abort(struct __test_metadata *m)
{
	siglongjmp(m->env, 1);
}

/* A plain TEST has no fixture: an ASSERT failure ends the child right away. */
#define __ASSERT_END(is_assert) do { \
	if (is_assert) { \
		if (strcmp(_metadata->fixture, "global") == 0) \
			_exit(KSFT_FAIL); \
		__harness_abort(_metadata); \
	} \
} while (0)

#define __CMP(exp, seen, op, is_assert) do { \
	long long __e = (long long)(exp); \
	long long __s = (long long)(seen); \
	if (!(__e op __s)) { \
		fprintf(stdout, "# %s:%d:%s: Expected %s (%lld) %s %s (%lld)\n", \
			__FILE__, __LINE__, _metadata->name, #exp, __e, #op, #seen, __s); \
		_metadata->passed = 0; \
		__ASSERT_END(is_assert); \
	} \
} while (0)

#define ASSERT_EQ(e, s) __CMP(e, s, ==, 1)
#define ASSERT_NE(e, s) __CMP(e, s, !=, 1)
#define ASSERT_LT(e, s) __CMP(e, s, <, 1)
#define ASSERT_LE(e, s) __CMP(e, s, <=, 1)
#define ASSERT_GT(e, s) __CMP(e, s, >, 1)
#define ASSERT_GE(e, s) __CMP(e, s, >=, 1)
#define EXPECT_EQ(e, s) __CMP(e, s, ==, 0)
#define EXPECT_NE(e, s) __CMP(e, s, !=, 0)
#define EXPECT_LT(e, s) __CMP(e, s, <, 0)
#define EXPECT_LE(e, s) __CMP(e, s, <=, 0)
#define EXPECT_GT(e, s) __CMP(e, s, >, 0)
#define EXPECT_GE(e, s) __CMP(e, s, >=, 0)
#define ASSERT_TRUE(c) __CMP(0, !!(c), !=, 1)
#define ASSERT_FALSE(c) __CMP(0, !!(c), ==, 1)
#define EXPECT_TRUE(c) __CMP(0, !!(c), !=, 0)
#define EXPECT_FALSE(c) __CMP(0, !!(c), ==, 0)
#define __STREQ(e, s, is_assert) do { \
	const char *__e = (e), *__s = (s); \
	if (!__e || !__s || strcmp(__e, __s)) { \
		fprintf(stdout, "# %s:%d:%s: Expected \"%s\" == \"%s\"\n", __FILE__, \
			__LINE__, _metadata->name, __e ? __e : "(null)", __s ? __s : "(null)"); \
		_metadata->passed = 0; \
		__ASSERT_END(is_assert); \
	} \
} while (0)
#define ASSERT_STREQ(e, s) __STREQ(e, s, 1)
#define EXPECT_STREQ(e, s) __STREQ(e, s, 0)

/* ASSERT_ERRNO(-1, EINVAL, call): the call fails with exactly that errno. */
#define ASSERT_ERRNO(err, call) do { \
	errno = 0; \
	int __r = (call); \
	int __saved = errno; \
	if (__r != -1 || __saved != (err)) { \
		fprintf(stdout, "# %s:%d:%s: Expected %s to fail with %s, got %d (errno %d: %s)\n", \
			__FILE__, __LINE__, _metadata->name, #call, #err, __r, __saved, \
			strerror(__saved)); \
		_metadata->passed = 0; \
		__ASSERT_END(1); \
	} \
} while (0)

#define SKIP(statement, fmt, ...) do { \
	fprintf(stdout, "# SKIP " fmt "\n", ##__VA_ARGS__); \
	_metadata->skipped = 1; \
	statement; \
} while (0)

static inline int __run_one(struct __test_metadata *t, int idx)
{
	int status, code;
	pid_t pid;

	fflush(stdout);
	printf("#  RUN           %s.%s ...\n", t->fixture, t->name);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("not ok %d %s.%s # fork: %s\n", idx, t->fixture, t->name, strerror(errno));
		return KSFT_FAIL;
	}
	if (pid == 0) {
		setpgid(0, 0);
		alarm(t->timeout);
		t->passed = 1;
		t->fn(t);
		fflush(stdout);
		_exit(!t->passed ? KSFT_FAIL : t->skipped ? KSFT_SKIP : KSFT_PASS);
	}
	waitpid(pid, &status, 0);
	kill(-pid, SIGKILL); /* whatever the test left running */
	if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
	} else {
		int sig = WTERMSIG(status);

		printf("# %s.%s: %s\n", t->fixture, t->name, sig == SIGALRM ?
		       "timed out" : strsignal(sig));
		code = KSFT_FAIL;
	}
	if (code == KSFT_PASS) {
		printf("#            OK  %s.%s\nok %d %s.%s\n", t->fixture, t->name, idx,
		       t->fixture, t->name);
	} else if (code == KSFT_SKIP) {
		printf("#      SKIP      %s.%s\nok %d %s.%s # SKIP\n", t->fixture, t->name,
		       idx, t->fixture, t->name);
	} else {
		code = KSFT_FAIL;
		printf("#     FAIL       %s.%s\nnot ok %d %s.%s\n", t->fixture, t->name, idx,
		       t->fixture, t->name);
	}
	return code;
}

static inline int test_harness_run(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0, idx = 0;
	const char *only = argc > 1 ? argv[1] : NULL;
	struct __test_metadata *t;
	int n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (t = __tests_head; t; t = t->next)
		n += !only || strstr(t->name, only);
	printf("TAP version 13\n1..%d\n# Starting %d tests from %s\n", n, n, argv[0]);
	for (t = __tests_head; t; t = t->next) {
		if (only && !strstr(t->name, only))
			continue;
		switch (__run_one(t, ++idx)) {
		case KSFT_PASS: pass++; break;
		case KSFT_SKIP: skip++; break;
		default: fail++; break;
		}
	}
	printf("# %s: %d / %d tests passed.\n", fail ? "FAILED" : "PASSED", pass, n);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", pass, fail, skip);
	return fail ? KSFT_FAIL : KSFT_PASS;
}

#define TEST_HARNESS_MAIN \
	int main(int argc, char **argv) { return test_harness_run(argc, argv); }

#endif /* ENPU_HARNESS_H */
