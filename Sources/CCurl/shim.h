#ifndef HOIST_CCURL_SHIM_H
#define HOIST_CCURL_SHIM_H
// curl_easy_setopt/getinfo are variadic, which Swift cannot call: these typed wrappers can be.
#define CURL_STRICTER
#include <curl/curl.h>

static inline CURLcode hoist_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hoist_curl_set_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hoist_curl_set_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hoist_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode hoist_curl_set_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*hoist_curl_data_fn)(char *, size_t, size_t, void *);
static inline CURLcode hoist_curl_set_data_fn(CURL *h, CURLoption o, hoist_curl_data_fn f) { return curl_easy_setopt(h, o, f); }
/* CURLOPT_XFERINFOFUNCTION: called about once a second and on every transfer step; non-zero aborts. */
typedef int (*hoist_curl_xferinfo_fn)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode hoist_curl_set_xferinfo_fn(CURL *h, hoist_curl_xferinfo_fn f) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f); }

static inline long hoist_curl_response_code(CURL *h) { long c = 0; curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c); return c; }
static inline curl_off_t hoist_curl_bytes_up(CURL *h) { curl_off_t c = 0; curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &c); return c; }
static inline curl_off_t hoist_curl_bytes_down(CURL *h) { curl_off_t c = 0; curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &c); return c; }
#endif
