// libxml2 is used from C only (Sources/CHTMLText): its headers pull in the system's ICU, which clashes with
// Foundation's copy when imported into Swift. This module carries the link flags and pkg-config's include path.
#include <stddef.h>
