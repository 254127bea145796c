#ifndef BERRYS_CHIREDIS_SHIM_H
#define BERRYS_CHIREDIS_SHIM_H
// hiredis from Debian's libhiredis-dev. Its pkg-config file adds a flag SwiftPM rejects,
// so the header is found on the default include path instead.
#include <hiredis/hiredis.h>
#endif
