// The SDK warns on Node 20 that releases after January 2027 need Node 22; the versions are pinned (DESIGN §7).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Tests that check what the client logs give it their own logger; the rest stay quiet.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// The client honours the proxy variables: tests reach their loopback servers directly unless a test sets them.
for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[name];
