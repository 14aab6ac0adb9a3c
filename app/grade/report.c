/* report.c — a grade_result as text for people, JSON for tools (exercism's
 * results.json shape with points) and JUnit XML for CI systems. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "grade/grade.h"

/* ---- text ---------------------------------------------------------------- */

#define SGR(c, s) (c ? "\033[" s "m" : "")

static void indent_block(FILE *f, const char *text, const char *pad)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(f, "%s%.*s\n", pad, (int)len, p);
        if (!nl)
            break;
        p = nl + 1;
    }
}

static const char *status_word(enum grade_status s)
{
    static const char *const w[] = {"PASS", "FAIL", "ERROR", "TIMEOUT",
                                    "OUT OF MEMORY"};
    return w[s];
}

void grade_write_text(FILE *f, const struct grade_result *r, bool c)
{
    const char *col = r->status == GRADE_PASS ? SGR(c, "1;32")
                                              : SGR(c, "1;31");
    fprintf(f, "%s%s%s  %s  %g/%g points  (%.0f ms)\n", col,
            status_word(r->status), SGR(c, "0"), r->exercise, r->score,
            r->max_score, r->duration_ms);
    if (r->file)
        fprintf(f, "  file: %s\n", r->file);
    if (r->message)
        indent_block(f, r->message, "  ");
    for (int i = 0; i < r->ntests; i++) {
        const struct grade_test *t = &r->tests[i];
        static const char *const tw[] = {"ok", "FAIL", "ERROR", "skip"};
        const char *tc = t->status == TEST_PASS      ? SGR(c, "32")
                         : t->status == TEST_NOT_RUN ? SGR(c, "33")
                                                     : SGR(c, "31");
        /* a hidden test that fails shows no name, only its message */
        fprintf(f, "  %s%-5s%s %s%s  %g/%g\n", tc, tw[t->status],
                SGR(c, "0"), t->hidden ? "(hidden) " : "",
                t->hidden && t->status != TEST_PASS ? "test" : t->name,
                t->points, t->max_points);
        if (t->message)
            indent_block(f, t->message, "        ");
        if (t->output) {
            fprintf(f, "        output:\n");
            indent_block(f, t->output, "          ");
        }
    }
    if (r->output) {
        fprintf(f, "  output while loading:\n");
        indent_block(f, r->output, "    ");
    }
}

/* ---- JSON ---------------------------------------------------------------- */

void json_write_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

void grade_write_json(FILE *f, const struct grade_result *r,
                      const struct grade_meta *meta)
{
    fputs("{\"version\": 3, \"exercise\": ", f);
    json_write_string(f, r->exercise);
    fputs(", \"file\": ", f);
    json_write_string(f, r->file);
    fputs(", \"status\": ", f);
    json_write_string(f, grade_status_name(r->status));
    fputs(", \"message\": ", f);
    json_write_string(f, r->message);
    fputs(", \"score\": ", f);
    json_number(f, r->score);
    fputs(", \"max_score\": ", f);
    json_number(f, r->max_score);
    fprintf(f, ", \"hints_used\": %d, \"viewed_solution\": %s",
            meta ? meta->hints_used : 0,
            meta && meta->viewed_solution ? "true" : "false");
    fprintf(f, ", \"duration_ms\": %.0f", r->duration_ms);
    fputs(", \"output\": ", f);
    json_write_string(f, r->output);
    fputs(", \"tests\": [", f);
    for (int i = 0; i < r->ntests; i++) {
        const struct grade_test *t = &r->tests[i];
        fputs(i ? ", {\"name\": " : "{\"name\": ", f);
        json_write_string(f, t->name);
        fputs(", \"status\": ", f);
        json_write_string(f, test_status_name(t->status));
        fputs(", \"points\": ", f);
        json_number(f, t->points);
        fputs(", \"max_points\": ", f);
        json_number(f, t->max_points);
        fputs(", \"visibility\": ", f);
        json_write_string(f, t->hidden ? "hidden" : "visible");
        fputs(", \"message\": ", f);
        json_write_string(f, t->message);
        if (t->check) {
            fputs(", \"check\": ", f);
            json_write_string(f, t->check);
            fputs(", \"expected\": ", f);
            json_write_string(f, t->expected);
            fputs(", \"got\": ", f);
            json_write_string(f, t->got);
            if (t->index) {
                fputs(", \"index\": ", f);
                json_write_string(f, t->index);
            }
            if (!isnan(t->max_diff)) {
                fputs(", \"max_diff\": ", f);
                json_number(f, t->max_diff);
            }
        }
        fputs(", \"output\": ", f);
        json_write_string(f, t->output);
        fputc('}', f);
    }
    fputs("]}", f);
}

/* ---- JUnit --------------------------------------------------------------- */

static void xml_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                fputc(*s, f);
        }
    }
}

int grade_write_junit(const char *path, const struct grade_result *rs, int n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
    for (int k = 0; k < n; k++) {
        const struct grade_result *r = &rs[k];
        int failures = 0, errors = 0, skipped = 0;
        for (int i = 0; i < r->ntests; i++) {
            failures += r->tests[i].status == TEST_FAIL;
            errors += r->tests[i].status == TEST_ERROR;
            skipped += r->tests[i].status == TEST_NOT_RUN;
        }
        bool whole = r->status != GRADE_PASS && r->status != GRADE_FAIL;
        fputs("  <testsuite name=\"", f);
        xml_text(f, r->exercise);
        fprintf(f,
                "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
                "skipped=\"%d\" time=\"%.3f\">\n",
                whole ? 1 : r->ntests, failures, whole ? 1 : errors, skipped,
                r->duration_ms / 1000);
        if (whole) {
            fputs("    <testcase name=\"load\"><error message=\"", f);
            xml_text(f, grade_status_name(r->status));
            fputs("\">", f);
            xml_text(f, r->message);
            fputs("</error></testcase>\n", f);
        }
        for (int i = 0; !whole && i < r->ntests; i++) {
            const struct grade_test *t = &r->tests[i];
            fputs("    <testcase name=\"", f);
            xml_text(f, t->name);
            fputs("\" classname=\"", f);
            xml_text(f, r->exercise);
            fputs("\">", f);
            if (t->status == TEST_FAIL || t->status == TEST_ERROR) {
                fputs(t->status == TEST_FAIL ? "<failure message=\""
                                             : "<error message=\"",
                      f);
                xml_text(f, t->message);
                fputs("\"/>", f);
            } else if (t->status == TEST_NOT_RUN) {
                fputs("<skipped/>", f);
            }
            fputs("</testcase>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}
