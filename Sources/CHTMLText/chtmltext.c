#include "chtmltext.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char *data;
    size_t length;
    size_t capacity;
    char *first_image;
} buffer;

static void append(buffer *out, const char *bytes, size_t length) {
    if (out->length + length + 1 > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 256;
        while (out->length + length + 1 > capacity) capacity *= 2;
        char *grown = realloc(out->data, capacity);
        if (!grown) return;
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->length, bytes, length);
    out->length += length;
    out->data[out->length] = 0;
}

static int in_list(const char *name, const char *const *list) {
    for (; *list; list++) if (strcasecmp(name, *list) == 0) return 1;
    return 0;
}

// Elements whose content no reader sees, and elements that start a line.
static const char *const hidden[] = {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg", "math", "select", "button", NULL};
static const char *const blocks[] = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote", "pre",
    "section", "article", "header", "footer", "hr", "dd", "dt", "dl", "figure", "figcaption", "aside", "nav", "main", "address", NULL};

static void visit(xmlNode *node, buffer *out, int depth) {
    // Deeper than any real description: the rest is ignored rather than recursed into.
    if (depth > 256) return;
    for (; node; node = node->next) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content) append(out, (const char *)node->content, strlen((const char *)node->content));
        } else if (node->type == XML_ELEMENT_NODE && node->name) {
            const char *name = (const char *)node->name;
            if (strcasecmp(name, "img") == 0 && !out->first_image) {
                xmlChar *src = xmlGetProp(node, (const xmlChar *)"src");
                if (src) {
                    out->first_image = strdup((const char *)src);
                    xmlFree(src);
                }
            }
            if (in_list(name, hidden)) continue;
            int block = in_list(name, blocks);
            int item = strcasecmp(name, "li") == 0;
            if (block) append(out, item ? "\n\xE2\x80\xA2 " : "\n", item ? 5 : 1);
            visit(node->children, out, depth + 1);
            if (block && !item && strcasecmp(name, "br") != 0) append(out, "\n", 1);
        }
    }
}

int chtml_reduce(const char *html, size_t length, chtml_result *result) {
    memset(result, 0, sizeof *result);
    if (length > 0x7fffffff) return -1;
    int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
    htmlDocPtr document = htmlReadMemory(html, (int)length, NULL, "UTF-8", options);
    if (!document) return -1;
    buffer out = {0};
    append(&out, "", 0);
    visit(document->children, &out, 0);
    xmlFreeDoc(document);
    result->text = out.data;
    result->length = out.length;
    result->first_image = out.first_image;
    return 0;
}

void chtml_result_free(chtml_result *result) {
    free(result->text);
    free(result->first_image);
    memset(result, 0, sizeof *result);
}

int chtml_entity(const char *name) {
    const htmlEntityDesc *entity = htmlEntityLookup((const xmlChar *)name);
    return entity ? (int)entity->value : -1;
}
