// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the HTTP transport (daemon/aws/http.c) against an HTTPS
 * server on 127.0.0.1: a certificate made here with the openssl command
 * (its name is IP:127.0.0.1 only), a small Python ssl server started and
 * stopped by this test. TLS verification must fail without ca_file
 * (-EPROTO) and on a name mismatch, and pass with ca_file; the body cap,
 * the timeout, a proxy in the environment (ignored), methods, headers and
 * bodies.
 */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../daemon/aws/http.c"
#include "tap.h"

static const char server_py[] =
	"import http.server, ssl, sys, time\n"
	"class H(http.server.BaseHTTPRequestHandler):\n"
	"    protocol_version = 'HTTP/1.1'\n"
	"    def log_message(self, *a): pass\n"
	"    def reply(self, code, body, length=True):\n"
	"        self.send_response(code)\n"
	"        if length: self.send_header('Content-Length', str(len(body)))\n"
	"        else: self.send_header('Connection', 'close')\n"
	"        self.end_headers()\n"
	"        self.wfile.write(body)\n"
	"    def do_GET(self):\n"
	"        if self.path == '/big': self.reply(200, b'x' * (4 * 1048576 + 1))\n"
	"        elif self.path == '/bigstream': self.reply(200, b'x' * (4 * 1048576 + 1), False)\n"
	"        elif self.path == '/slow': time.sleep(3); self.reply(200, b'late')\n"
	"        elif self.path == '/404': self.reply(404, b'no')\n"
	"        else: self.reply(200, b'hello')\n"
	"    def do_PUT(self): self.echo()\n"
	"    def do_POST(self): self.echo()\n"
	"    def echo(self):\n"
	"        n = int(self.headers.get('Content-Length', '0'))\n"
	"        body = self.rfile.read(n)\n"
	"        out = '%s %s x-test=%s empty=%s\\n' % (self.command, n,\n"
	"              self.headers.get('X-Test'), self.headers.get('X-Empty'))\n"
	"        self.reply(200, out.encode() + body)\n"
	"ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
	"ctx.load_cert_chain(sys.argv[1], sys.argv[2])\n"
	"s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
	"s.socket = ctx.wrap_socket(s.socket, server_side=True)\n"
	"print(s.server_address[1], flush=True)\n"
	"s.serve_forever()\n";

static char dir[] = "/tmp/vigil-http-XXXXXX";
static char cert[64], key[64];
static pid_t server = -1;
static int port;

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int make_cert(void)
{
	char cmd[1024];

	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
		 "-nodes -keyout %s -out %s -days 2 -subj /CN=vigil-test "
		 "-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1", key, cert);
	return run(cmd);
}

/* Start the server; its port comes first on its stdout. */
static int start_server(void)
{
	const char *py = access("/usr/bin/python3", X_OK) ? "python3" : "/usr/bin/python3";
	char line[32];
	struct pollfd p;
	size_t n = 0;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	server = fork();
	if (server < 0)
		return -errno;
	if (!server) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fds[1], 1);
		/* the server's tracebacks when the client hangs up on purpose */
		if (null >= 0)
			dup2(null, 2);
		execlp(py, py, "-c", server_py, cert, key, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	/* up to 10 s on a loaded machine */
	while (n < sizeof(line) - 1 && !memchr(line, '\n', n)) {
		ssize_t r;

		if (poll(&p, 1, 10000) <= 0)
			break;
		r = read(fds[0], line + n, sizeof(line) - 1 - n);
		if (r <= 0)
			break;
		n += r;
	}
	close(fds[0]);
	line[n] = '\0';
	port = atoi(line);
	return port > 0 ? 0 : -EIO;
}

static void stop_server(void)
{
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
}

static int get(const char *host, const char *path, const char *ca,
	       unsigned int timeout_ms, struct vigil_http_resp *resp, char *err,
	       size_t errlen)
{
	char url[256];
	struct vigil_http_req req = {
		.method = "GET", .url = url, .ca_file = ca, .timeout_ms = timeout_ms,
	};

	snprintf(url, sizeof(url), "https://%s:%d%s", host, port, path);
	return vigil_http_do(&req, resp, err, errlen);
}

int main(void)
{
	struct vigil_http_resp resp;
	char err[512], url[256];
	int ret;

	if (!mkdtemp(dir))
		return tap_skip_all("mkdtemp failed");
	if (make_cert()) {
		rmdir(dir);
		return tap_skip_all("the openssl command could not make a certificate");
	}
	if (start_server()) {
		stop_server();
		tap_ok(false, "the HTTPS test server starts");
		return tap_done();
	}
	tap_diag("HTTPS server on 127.0.0.1:%d, pid %d", port, (int)server);

	ret = get("127.0.0.1", "/", NULL, 5000, &resp, err, sizeof(err));
	tap_is_int(ret, -EKEYREJECTED, "no ca_file: the self-signed server is refused, -EKEYREJECTED (%s)", err);

	ret = get("127.0.0.1", "/", cert, 5000, &resp, err, sizeof(err));
	tap_ok(!ret && resp.status == 200 && resp.body_len == 5 &&
	       !strcmp(resp.body, "hello"),
	       "ca_file naming the certificate: 200 hello (%d %s)", ret, err);
	if (!ret)
		vigil_http_resp_free(&resp);

	ret = get("localhost", "/", cert, 5000, &resp, err, sizeof(err));
	tap_is_int(ret, -EKEYREJECTED, "a name the certificate does not hold: -EKEYREJECTED (%s)", err);

	ret = get("127.0.0.1", "/404", cert, 5000, &resp, err, sizeof(err));
	tap_ok(!ret && resp.status == 404 && !strcmp(resp.body, "no"),
	       "a 404 is a response, not an error (%d %ld)", ret, resp.status);
	if (!ret)
		vigil_http_resp_free(&resp);

	setenv("https_proxy", "http://127.0.0.1:1", 1);
	setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
	ret = get("127.0.0.1", "/", cert, 5000, &resp, err, sizeof(err));
	tap_ok(!ret && resp.status == 200,
	       "a proxy in the environment is not used (%d %s)", ret, err);
	if (!ret)
		vigil_http_resp_free(&resp);
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("ALL_PROXY");

	{
		const struct vigil_http_header h[] = {
			{ "X-Test", "v 1" }, { "X-Empty", "" },
			{ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
		};
		struct vigil_http_req req = {
			.method = "POST", .url = url, .headers = h, .n_headers = 3,
			.body = "Action=DescribeInstances", .body_len = 24,
			.ca_file = cert, .timeout_ms = 5000,
		};

		snprintf(url, sizeof(url), "https://127.0.0.1:%d/", port);
		ret = vigil_http_do(&req, &resp, err, sizeof(err));
		if (!tap_ok(!ret && !strcmp(resp.body, "POST 24 x-test=v 1 empty=\n"
					    "Action=DescribeInstances"),
			    "POST: body and headers sent, an empty header too (%d)", ret))
			tap_diag("%s", ret ? err : resp.body);
		if (!ret)
			vigil_http_resp_free(&resp);
		req.method = "PUT";
		req.body = NULL;
		req.body_len = 0;
		ret = vigil_http_do(&req, &resp, err, sizeof(err));
		if (!tap_ok(!ret && !strncmp(resp.body, "PUT 0 ", 6),
			    "PUT without a body (%d)", ret))
			tap_diag("%s", ret ? err : resp.body);
		if (!ret)
			vigil_http_resp_free(&resp);
		req.method = "DELETE";
		ret = vigil_http_do(&req, &resp, err, sizeof(err));
		tap_is_int(ret, -EINVAL, "another method: -EINVAL (%s)", err);
		req.method = "GET";
		{
			const struct vigil_http_header bad[] = { { "X-Test", "a\r\nX-Evil: 1" } };

			req.headers = bad;
			req.n_headers = 1;
			ret = vigil_http_do(&req, &resp, err, sizeof(err));
			tap_is_int(ret, -EINVAL, "a header value with CR LF: -EINVAL (%s)", err);
		}
	}

	ret = get("127.0.0.1", "/big", cert, 5000, &resp, err, sizeof(err));
	tap_is_int(ret, -EMSGSIZE, "a body over %u bytes, with its length: -EMSGSIZE (%s)",
		   VIGIL_HTTP_BODY_MAX, err);
	ret = get("127.0.0.1", "/bigstream", cert, 5000, &resp, err, sizeof(err));
	tap_is_int(ret, -EMSGSIZE, "a body over %u bytes, streamed: -EMSGSIZE (%s)",
		   VIGIL_HTTP_BODY_MAX, err);
	ret = get("127.0.0.1", "/slow", cert, 500, &resp, err, sizeof(err));
	tap_is_int(ret, -ETIMEDOUT, "no answer within timeout_ms: -ETIMEDOUT (%s)", err);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	{
		struct vigil_http_req req = { .method = "GET", .url = url, .timeout_ms = 5000 };

		ret = vigil_http_do(&req, &resp, err, sizeof(err));
		tap_ok(ret == -EPROTO || ret == -EIO || (!ret && resp.status == 400),
		       "plain HTTP to a TLS port fails (%d %s)", ret, err);
		if (!ret)
			vigil_http_resp_free(&resp);
	}
	{
		struct vigil_http_req req = { .method = "GET", .url = "file:///etc/passwd" };

		ret = vigil_http_do(&req, &resp, err, sizeof(err));
		tap_ok(ret < 0, "file:// is not a protocol here (%d %s)", ret, err);
		if (!ret)
			vigil_http_resp_free(&resp);
	}

	stop_server();
	unlink(cert);
	unlink(key);
	rmdir(dir);
	return tap_done();
}
