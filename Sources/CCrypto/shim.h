#ifndef HOIST_CCRYPTO_SHIM_H
#define HOIST_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/sha.h>
#endif
