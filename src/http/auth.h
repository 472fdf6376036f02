/*
 * Credentials: "Authorization: Bearer <access JWT>" for people and
 * "Authorization: Bearer crm_<...>" for integration API keys. Keys are only
 * hashed here; the database resolves them (and their scopes) inside the
 * same statement that does the work.
 */
#ifndef CRM_HTTP_AUTH_H
#define CRM_HTTP_AUTH_H

#include "api.h"

#define API_KEY_PREFIX "crm_"

/*
 * Returns 0 with who filled in, or -1 with *why a short client-safe reason
 * and *challenge the WWW-Authenticate value to send with the 401.
 */
int auth_resolve(struct http_request *, struct principal *who, const char **why,
    const char **challenge);

#endif
