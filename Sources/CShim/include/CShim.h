#ifndef CSHIM_H
#define CSHIM_H

#include <curl/curl.h>
#include <stddef.h>

/// Typed wrappers for libcurl's variadic functions, which Swift cannot call directly.
CURLcode cshim_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode cshim_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode cshim_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode cshim_curl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode cshim_curl_easy_setopt_write_function(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode cshim_curl_easy_setopt_prereq_function(CURL *handle, int (*callback)(void *, char *, char *, int, int));
CURLcode cshim_curl_easy_setopt_header_function(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode cshim_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode cshim_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);
CURLcode cshim_curl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
CURLMcode cshim_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);

/// Linux-only calls that need _GNU_SOURCE (and fcntl, which is variadic).
int cshim_set_lease(int fd, int type);
int cshim_pipe2(int fds[2], int flags);
/// Names the calling thread (at most 15 bytes), as `top -H` and /proc/PID/task/*/comm show it.
int cshim_name_current_thread(const char *name);
/// rename(2) that fails with EEXIST instead of replacing the target.
int cshim_rename_noreplace(const char *from, const char *to);
/// Returns freed heap memory to the operating system (glibc malloc_trim).
int cshim_malloc_trim(size_t pad);

#endif
