/* test_course.c — the course loader (manifest validation and its
 * messages), item lookup, hints, the workspace and the progress file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "course/course.h"
#include "course/workspace.h"

#define FIXTURE "tests/fixtures/course"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/seqlab-test-course.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *rel, const char *text)
{
    char path[512], dir[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + strlen(tmpdir) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A one-lesson course in tmpdir with the given items list. */
static void make_course(const char *items)
{
    char text[2048];
    snprintf(text, sizeof text,
             "return { title = 'T', weeks = { { title = 'W', lessons = { "
             "{ id = 'l', title = 'L', dir = 'l', items = { %s } } } } } }",
             items);
    write_file("course.lua", text);
    write_file("l/p.md", "# P\n");
    write_file("l/exercises/e.lua", "return {}\n");
    write_file("l/solutions/e.lua", "return {}\n");
    write_file("l/tests/e.lua", "return { tests = {} }\n");
}

static void expect_load_error(const char *needle)
{
    struct course c;
    char err[512];
    int r = course_load(&c, tmpdir, err, sizeof err);
    if (r == 0) {
        course_free(&c);
        fail_msg("the course loaded; expected an error with \"%s\"", needle);
    }
    if (!strstr(err, needle))
        fail_msg("error \"%s\" lacks \"%s\"", err, needle);
    if (!strstr(err, "course.lua"))
        fail_msg("error \"%s\" does not name the file", err);
}

static void test_fixture_course_loads_weeks_lessons_and_items(void **state)
{
    (void)state;
    struct course c;
    char err[512];
    assert_int_equal(course_load(&c, FIXTURE, err, sizeof err), 0);
    assert_string_equal(c.title, "Fixture course");
    assert_int_equal(c.nweeks, 1);
    assert_string_equal(c.weeks[0].id, "w1");
    assert_int_equal(c.nitems, 3);
    assert_string_equal(c.items[0].id, "w1.intro");
    assert_false(c.items[0].is_exercise);
    assert_string_equal(c.items[1].id, "w1.add");
    assert_true(c.items[1].is_exercise);
    assert_true(c.items[1].timeout == 2);
    assert_true(c.items[2].timeout == 10);
    assert_ptr_equal(c.weeks[0].lessons[0].items[1], &c.items[1]);
    course_free(&c);
}

static void test_items_are_found_by_id_and_by_unique_name(void **state)
{
    (void)state;
    struct course c;
    char err[512];
    assert_int_equal(course_load(&c, FIXTURE, err, sizeof err), 0);
    assert_ptr_equal(course_find(&c, "w1.add"), &c.items[1]);
    assert_ptr_equal(course_find(&c, "mean"), &c.items[2]);
    assert_null(course_find(&c, "w2.add"));
    assert_null(course_find(&c, "nothing"));
    course_free(&c);
}

static void test_item_paths_follow_the_course_layout(void **state)
{
    (void)state;
    struct course c;
    char err[512];
    assert_int_equal(course_load(&c, FIXTURE, err, sizeof err), 0);
    char *p = course_path(&c.items[1], COURSE_STARTER);
    assert_non_null(strstr(p, "/basics/exercises/add.lua"));
    free(p);
    p = course_path(&c.items[0], COURSE_PAGE);
    assert_non_null(strstr(p, "/basics/intro.md"));
    free(p);
    course_free(&c);
}

static void test_hints_split_at_second_level_headings(void **state)
{
    (void)state;
    struct course c;
    char err[512], *h[3] = {0};
    assert_int_equal(course_load(&c, FIXTURE, err, sizeof err), 0);
    assert_int_equal(course_hints(&c.items[1], h, 3), 2);
    assert_non_null(strstr(h[0], "Hint 1"));
    assert_null(strstr(h[0], "Hint 2"));
    assert_non_null(strstr(h[1], "Tensors multiply"));
    assert_int_equal(course_hints(&c.items[2], h + 2, 1), 0);
    free(h[0]);
    free(h[1]);
    course_free(&c);
}

static void test_a_missing_folder_is_reported(void **state)
{
    (void)state;
    struct course c;
    char err[512];
    assert_int_equal(course_load(&c, "/nonexistent/seqlab", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "/nonexistent/seqlab"));
}

static void test_a_manifest_with_a_syntax_error_is_reported(void **state)
{
    (void)state;
    write_file("course.lua", "return { title = \n");
    expect_load_error("course.lua:");
}

static void test_a_manifest_that_is_not_a_table_is_reported(void **state)
{
    (void)state;
    write_file("course.lua", "return 42\n");
    expect_load_error("must return a table");
}

static void test_a_manifest_that_never_ends_is_stopped(void **state)
{
    (void)state;
    write_file("course.lua", "while true do end\n");
    expect_load_error("ran too long");
}

static void test_a_manifest_cannot_read_files(void **state)
{
    (void)state;
    write_file("course.lua", "return dofile('/etc/passwd')\n");
    expect_load_error("dofile");
}

static void test_a_manifest_that_eats_memory_is_stopped(void **state)
{
    (void)state;
    write_file("course.lua",
               "local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(1e6) .. i end\n");
    expect_load_error("memory");
}

static void test_an_item_needs_a_page_or_an_exercise(void **state)
{
    (void)state;
    make_course("{ title = 'x' }");
    expect_load_error("weeks[1].lessons[1].items[1]: an item needs 'page' "
                      "or 'exercise'");
}

static void test_an_item_cannot_be_both(void **state)
{
    (void)state;
    make_course("{ page = 'p', exercise = 'e', title = 'x' }");
    expect_load_error("not both");
}

static void test_an_item_needs_a_title(void **state)
{
    (void)state;
    make_course("{ page = 'p' }");
    expect_load_error("items[1]: missing 'title'");
}

static void test_names_must_be_plain(void **state)
{
    (void)state;
    make_course("{ page = '../p', title = 'x' }");
    expect_load_error("not a valid name");
}

static void test_duplicate_ids_are_rejected(void **state)
{
    (void)state;
    make_course("{ page = 'p', title = 'a' }, { page = 'p', title = 'b' }");
    expect_load_error("duplicate id 'w1.p'");
}

static void test_missing_files_are_named(void **state)
{
    (void)state;
    make_course("{ page = 'q', title = 'a' }");
    expect_load_error("l/q.md is missing");
    make_course("{ exercise = 'f', title = 'a' }");
    expect_load_error("exercises/f.lua is missing");
}

static void test_a_timeout_must_be_sensible(void **state)
{
    (void)state;
    make_course("{ exercise = 'e', title = 'a', timeout = -1 }");
    expect_load_error("'timeout'");
}

static void test_a_lesson_folder_stays_inside_the_course(void **state)
{
    (void)state;
    write_file("course.lua",
               "return { title = 'T', weeks = { { title = 'W', lessons = { "
               "{ id = 'l', title = 'L', dir = '../x', items = {} } } } } }");
    expect_load_error("inside the course");
}

static void test_fields_must_have_the_right_types(void **state)
{
    (void)state;
    write_file("course.lua", "return { title = 5, weeks = {} }");
    expect_load_error("'title' must be a string");
    write_file("course.lua", "return { title = 'T', weeks = 'x' }");
    expect_load_error("'weeks' must be a list");
    write_file("course.lua", "return { title = 'T', weeks = {} }");
    expect_load_error("no weeks");
}

static void test_a_valid_minimal_course_loads(void **state)
{
    (void)state;
    make_course("{ page = 'p', title = 'a' }, { exercise = 'e', title = 'b' }");
    struct course c;
    char err[512];
    assert_int_equal(course_load(&c, tmpdir, err, sizeof err), 0);
    assert_int_equal(c.nitems, 2);
    course_free(&c);
}

/* ---- workspace and progress ----------------------------------------------- */

static void test_the_workspace_gets_a_starter_once_and_reset_keeps_a_backup(
    void **state)
{
    (void)state;
    struct course c;
    struct workspace w;
    char err[512], path[512];
    assert_int_equal(course_load(&c, FIXTURE, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/ws", tmpdir);
    assert_int_equal(workspace_open(&w, path, err, sizeof err), 0);
    assert_int_equal(workspace_ensure(&w, &c.items[1], err, sizeof err), 1);
    assert_int_equal(workspace_ensure(&w, &c.items[1], err, sizeof err), 0);
    char *f = workspace_file(&w, &c.items[1]);
    assert_non_null(strstr(f, "/ws/w1/add.lua"));
    FILE *fp = fopen(f, "w");
    fputs("mine", fp);
    fclose(fp);
    assert_int_equal(workspace_reset(&w, &c.items[1], err, sizeof err), 0);
    char bak[600];
    snprintf(bak, sizeof bak, "%s.bak", f);
    char *kept = slurp(bak, NULL), *fresh = slurp(f, NULL);
    assert_string_equal(kept, "mine");
    assert_non_null(strstr(fresh, "YOUR CODE HERE"));
    free(kept);
    free(fresh);
    free(f);
    workspace_close(&w);
    course_free(&c);
}

static void test_progress_round_trips_through_its_file(void **state)
{
    (void)state;
    struct workspace w;
    struct progress p, q;
    char err[512];
    assert_int_equal(workspace_open(&w, tmpdir, err, sizeof err), 0);
    progress_load(&p, &w);
    assert_int_equal(p.n, 0);
    struct progress_rec *r = progress_get(&p, "w1.add");
    r->status = EX_PASS;
    r->best = 4.5;
    r->max = 5;
    r->hints = 2;
    r->solution_viewed = true;
    progress_get(&p, "w1.mean")->status = EX_FAIL;
    assert_int_equal(progress_save(&p, &w), 0);
    progress_load(&q, &w);
    assert_int_equal(q.n, 2);
    struct progress_rec *s = progress_get(&q, "w1.add");
    assert_int_equal(s->status, EX_PASS);
    assert_true(s->best == 4.5 && s->max == 5);
    assert_int_equal(s->hints, 2);
    assert_true(s->solution_viewed);
    assert_int_equal(progress_get(&q, "w1.mean")->status, EX_FAIL);
    progress_free(&p);
    progress_free(&q);
    workspace_close(&w);
}

static void test_a_corrupt_progress_file_keeps_only_good_lines(void **state)
{
    (void)state;
    struct workspace w;
    struct progress p;
    char err[512];
    assert_int_equal(workspace_open(&w, tmpdir, err, sizeof err), 0);
    write_file(".seqlab/progress",
               "garbage line\n\n\tpass\nw1.add\tpass\t5\t5\t9\t1\n"
               "w1.x\tweird\t1\t2\t0\t0\nw1.y\tpass\tNaN\n");
    progress_load(&p, &w);
    assert_int_equal(p.n, 2);
    assert_int_equal(progress_get(&p, "w1.add")->hints, 3); /* clamped */
    assert_int_equal(progress_get(&p, "w1.x")->status, EX_TODO);
    progress_free(&p);
    workspace_close(&w);
}

static void test_saving_leaves_no_temporary_files(void **state)
{
    (void)state;
    struct workspace w;
    struct progress p;
    char err[512], cmd[512];
    assert_int_equal(workspace_open(&w, tmpdir, err, sizeof err), 0);
    progress_load(&p, &w);
    progress_get(&p, "w1.add");
    assert_int_equal(progress_save(&p, &w), 0);
    snprintf(cmd, sizeof cmd, "ls '%s/.seqlab' | grep -q tmp", tmpdir);
    assert_int_not_equal(system(cmd), 0);
    progress_free(&p);
    workspace_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_fixture_course_loads_weeks_lessons_and_items),
        T(test_items_are_found_by_id_and_by_unique_name),
        T(test_item_paths_follow_the_course_layout),
        T(test_hints_split_at_second_level_headings),
        T(test_a_missing_folder_is_reported),
        T(test_a_manifest_with_a_syntax_error_is_reported),
        T(test_a_manifest_that_is_not_a_table_is_reported),
        T(test_a_manifest_that_never_ends_is_stopped),
        T(test_a_manifest_cannot_read_files),
        T(test_a_manifest_that_eats_memory_is_stopped),
        T(test_an_item_needs_a_page_or_an_exercise),
        T(test_an_item_cannot_be_both),
        T(test_an_item_needs_a_title),
        T(test_names_must_be_plain),
        T(test_duplicate_ids_are_rejected),
        T(test_missing_files_are_named),
        T(test_a_timeout_must_be_sensible),
        T(test_a_lesson_folder_stays_inside_the_course),
        T(test_fields_must_have_the_right_types),
        T(test_a_valid_minimal_course_loads),
        T(test_the_workspace_gets_a_starter_once_and_reset_keeps_a_backup),
        T(test_progress_round_trips_through_its_file),
        T(test_a_corrupt_progress_file_keeps_only_good_lines),
        T(test_saving_leaves_no_temporary_files),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
