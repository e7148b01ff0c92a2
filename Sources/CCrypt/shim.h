#ifndef FERRY_CCRYPT_SHIM_H
#define FERRY_CCRYPT_SHIM_H

// libxcrypt: crypt_rn, crypt_gensalt_rn and struct crypt_data.
#include <crypt.h>

#endif
