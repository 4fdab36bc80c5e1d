/** RFC 9110 token: what a header name, or an unquoted header parameter value, may be made of. */
export const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
