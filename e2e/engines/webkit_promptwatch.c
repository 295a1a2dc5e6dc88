/*
 * webkit_promptwatch.c: a GTK module that the WebKit adapter (webkit.mjs)
 * loads into MiniBrowser with --gtk-module, so that a test can see WebKit
 * raise its HTTP authentication prompt.
 *
 * WebKitGTK's WebDriver does not report that prompt: its user-prompt
 * handling knows only alert, confirm, prompt and beforeunload, and the
 * Debian build has no WebDriver BiDi (no network.authRequired). The prompt
 * is raised as the WebKitWebView signal "authenticate", whose default
 * handler puts the password dialog over the page. This module
 *
 *   - counts every emission of "authenticate" with an emission hook, one
 *     line appended to the file named by AUTHGATE_WEBKIT_PROMPTS
 *     (realm, host:port, the page's URI), and
 *   - answers the prompt as a user pressing Cancel would: it goes on
 *     without credentials, so the 401 reaches the page instead of the
 *     dialog holding the load (and every WebDriver command after it).
 *
 * The adapter compiles it with gcc at launch. It includes no header: the
 * few GLib and WebKitGTK functions it calls are declared below with their
 * stable C ABI, and they resolve against the libraries MiniBrowser has
 * already loaded.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef unsigned long GType;
typedef struct {
	GType g_type;
	unsigned long data[2];
} GValue;
typedef struct {
	unsigned signal_id;
	unsigned detail;
	int run_type;
} GSignalInvocationHint;
typedef int (*EmissionHook)(GSignalInvocationHint *, unsigned, const GValue *, void *);

extern void *g_type_class_ref(GType);
extern unsigned g_signal_lookup(const char *, GType);
extern unsigned long g_signal_add_emission_hook(unsigned, unsigned, EmissionHook, void *, void (*)(void *));
extern unsigned long g_signal_connect_data(void *, const char *, void (*)(void), void *, void (*)(void *, void *), int);
extern void *g_value_get_object(const GValue *);
extern void *g_object_get_data(void *, const char *);
extern void g_object_set_data(void *, const char *, void *);

extern GType webkit_web_view_get_type(void);
extern const char *webkit_web_view_get_uri(void *);
extern const char *webkit_authentication_request_get_realm(void *);
extern const char *webkit_authentication_request_get_host(void *);
extern unsigned webkit_authentication_request_get_port(void *);
extern void webkit_authentication_request_authenticate(void *, void *);

static const char watched[] = "authgate-promptwatch";

/* printable copies s into buf, turning control characters (a tab or a
 * newline would break the log's lines) into '?'. */
static const char *printable(const char *s, char *buf, size_t n)
{
	size_t i = 0;
	if (!s)
		s = "";
	for (; s[i] && i + 1 < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	buf[i] = 0;
	return buf;
}

/* on_authenticate runs for every "authenticate" emission, on any view. */
static int on_authenticate(GSignalInvocationHint *hint, unsigned n, const GValue *values, void *data)
{
	(void)hint;
	(void)data;
	if (n < 2)
		return 1;
	void *view = g_value_get_object(&values[0]);
	void *request = g_value_get_object(&values[1]);
	const char *path = getenv("AUTHGATE_WEBKIT_PROMPTS");
	if (!path)
		return 1;
	char realm[256], host[256], uri[1024], line[1700];
	int len = snprintf(line, sizeof line, "prompt\t%s\t%s:%u\t%s\n",
	                   printable(webkit_authentication_request_get_realm(request), realm, sizeof realm),
	                   printable(webkit_authentication_request_get_host(request), host, sizeof host),
	                   webkit_authentication_request_get_port(request),
	                   printable(view ? webkit_web_view_get_uri(view) : "", uri, sizeof uri));
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (len > (int)sizeof line - 1)
			len = sizeof line - 1;
		if (write(fd, line, (size_t)len) < 0)
			perror("promptwatch");
		close(fd);
	}
	return 1; /* stay installed */
}

/* answer is the view's own "authenticate" handler: it goes on without
 * credentials and stops the emission, so no dialog is put up. */
static int answer(void *view, void *request, void *data)
{
	(void)view;
	(void)data;
	webkit_authentication_request_authenticate(request, NULL);
	return 1;
}

/* on_load_changed gives each view the answer handler before its first load
 * goes out, and so before any prompt it can raise. */
static int on_load_changed(GSignalInvocationHint *hint, unsigned n, const GValue *values, void *data)
{
	(void)hint;
	(void)data;
	if (n < 1)
		return 1;
	void *view = g_value_get_object(&values[0]);
	if (view && !g_object_get_data(view, watched)) {
		g_signal_connect_data(view, "authenticate", (void (*)(void))answer, NULL, NULL, 0);
		g_object_set_data(view, watched, (void *)1);
	}
	return 1;
}

void gtk_module_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	GType type = webkit_web_view_get_type();
	g_type_class_ref(type); /* the class defines its signals when first used */
	unsigned authenticate = g_signal_lookup("authenticate", type);
	unsigned load_changed = g_signal_lookup("load-changed", type);
	if (!authenticate || !load_changed) {
		fprintf(stderr, "promptwatch: WebKitWebView has no authenticate or load-changed signal\n");
		exit(70);
	}
	g_signal_add_emission_hook(authenticate, 0, on_authenticate, NULL, NULL);
	g_signal_add_emission_hook(load_changed, 0, on_load_changed, NULL, NULL);
}
