#ifndef CHTMLTEXT_H
#define CHTMLTEXT_H

#include <stddef.h>

/// The readable text of an HTML fragment, parsed by libxml2's HTML parser.
typedef struct {
    /// UTF-8 text: scripts, styles and other hidden elements dropped, blocks on their own lines (malloc'd).
    char *text;
    size_t length;
    /// The first <img src>, or NULL (malloc'd).
    char *first_image;
} chtml_result;

/// Parses `html` (UTF-8, `length` bytes); returns 0 and fills `result`, or -1 when libxml2 could not parse it.
int chtml_reduce(const char *html, size_t length, chtml_result *result);
void chtml_result_free(chtml_result *result);
/// The code point of an HTML named entity (`eacute`), or -1.
int chtml_entity(const char *name);

#endif
