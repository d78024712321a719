/* SPDX-License-Identifier: MIT */
/*
 * Lab state files and per-lab locks under /run/reuselab.  Root writes here,
 * so every open refuses symlinks (O_NOFOLLOW), never waits on a planted FIFO
 * (O_NONBLOCK, then fstat must say regular file), and the directory is
 * checked to be a real, root-owned, 0700 directory before use.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/util/util.h"
#include "netns/netns.h"

static int state_dir_ensure(void)
{
	struct stat st;

	if (mkdir(STATE_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(STATE_DIR, &st) < 0)
		return -errno;
	/* Someone else's directory or a symlink planted in /run: refuse it. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return -EPERM;
	if ((st.st_mode & 07777) != 0700 && chmod(STATE_DIR, 0700) < 0)
		return -errno;
	return 0;
}

static int state_path(const char *lab, const char *suffix, char *buf, size_t len)
{
	if (!topo_name_valid(lab, TOPO_LAB_NAME_MAX))
		return -EINVAL;
	if ((size_t)snprintf(buf, len, STATE_DIR "/%s%s", lab, suffix) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Open path as a lock file: -ELOOP for a symlink, -EBADFD for anything but a
 * regular file (fstat on the very fd we would lock).
 */
static int lock_open(const char *path)
{
	struct stat st;
	int fd, r;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EISDIR ? -EBADFD : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = S_ISREG(st.st_mode) ? -errno : -EBADFD;
		close(fd);
		return r;
	}
	return fd;
}

/* Remove what sits at path when it is not a regular file: the name only. */
static int lock_replace(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISREG(st.st_mode))
		return 0;
	if ((S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int state_lock(const char *lab, bool repair)
{
	char path[PATH_MAX];
	struct stat st_fd, st_path;
	int r, fd;

	r = state_dir_ensure();
	if (r < 0)
		return r;
	r = state_path(lab, ".lock", path, sizeof(path));
	if (r < 0)
		return r;
	/*
	 * `down` unlinks the lock file while holding it, so after we get the
	 * lock we check the path still names the file we locked; if not, a
	 * `down` won the race and we lock the new file instead.
	 */
	for (;;) {
		fd = lock_open(path);
		if ((fd == -ELOOP || fd == -EBADFD) && repair) {
			r = lock_replace(path);
			if (r < 0)
				return r;
			fd = lock_open(path);
		}
		if (fd < 0)
			return fd;
		if (flock(fd, LOCK_EX) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		if (fstat(fd, &st_fd) == 0 && lstat(path, &st_path) == 0 &&
		    st_fd.st_ino == st_path.st_ino && st_fd.st_dev == st_path.st_dev)
			return fd;
		close(fd);
	}
}

void state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void state_file_remove(const char *lab, const char *suffix)
{
	char path[PATH_MAX];

	if (state_path(lab, suffix, path, sizeof(path)) == 0)
		(void)unlink(path);
}

void state_lock_remove(const char *lab)
{
	state_file_remove(lab, ".lock");
}

/* {"rl-<lab>.<node>": id, ...}: the ids ns_publish gave, 0 left out. */
static struct json_object *mounts_json(const struct lab_mounts *m)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; o && i < m->n; i++)
		if (m->v[i].id)
			json_object_object_add(o, m->v[i].ns, json_object_new_uint64(m->v[i].id));
	return o;
}

/* data as lab's file <suffix>: written to <suffix>.tmp (0600, never through a link), renamed. */
static int state_file_write(const char *lab, const char *suffix, const char *data, size_t len)
{
	char path[PATH_MAX], tmp[PATH_MAX], tmp_suffix[16];
	int r, fd;

	snprintf(tmp_suffix, sizeof(tmp_suffix), "%s.tmp", suffix);
	r = state_path(lab, suffix, path, sizeof(path));
	if (r == 0)
		r = state_path(lab, tmp_suffix, tmp, sizeof(tmp));
	if (r < 0)
		return r;
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, data, len) != (ssize_t)len)
		r = errno ? -errno : -EIO; /* a short write on tmpfs: out of space */
	else if (rename(tmp, path) < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		unlink(tmp);
	return r;
}

/*
 * The topology text goes in a file of its own (<lab>.yml), written with the
 * write-ahead state and before it: `down` reads only the JSON, whose parse
 * time the text would dominate.
 */
int state_write(const struct topology *t, const char *lab, const struct lab_mounts *mounts)
{
	char file[PATH_MAX], *line = NULL;
	struct json_object *o = NULL, *nodes;
	const char *text;
	int r;

	r = state_dir_ensure();
	if (r == 0 && t->text && !mounts)
		r = state_file_write(lab, STATE_TOPOLOGY, t->text, t->text_len);
	if (r < 0)
		return r;
	if (!realpath(t->file, file))
		snprintf(file, sizeof(file), "%s", t->file);
	o = json_object_new_object();
	nodes = json_object_new_array();
	if (!o || !nodes) {
		json_object_put(nodes);
		r = -ENOMEM;
		goto out;
	}
	json_object_object_add(o, "lab", json_object_new_string(lab));
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "created", json_object_new_int64(time(NULL)));
	json_object_object_add(o, "complete", json_object_new_boolean(mounts != NULL));
	for (size_t i = 0; i < t->n_nodes; i++)
		json_object_array_add(nodes, json_object_new_string(t->nodes[i].name));
	json_object_object_add(o, "nodes", nodes);
	if (mounts)
		json_object_object_add(o, "mounts", mounts_json(mounts));
	/* Plain: one line, small even for the largest lab. */
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (!text || asprintf(&line, "%s\n", text) < 0) {
		line = NULL;
		r = -ENOMEM;
		goto out;
	}
	r = state_file_write(lab, ".json", line, strlen(line));
out:
	/* A write-ahead state that failed leaves no topology file without it. */
	if (r < 0 && !mounts && t->text)
		state_file_remove(lab, STATE_TOPOLOGY);
	free(line);
	json_object_put(o);
	return r;
}

void state_clear(struct lab_state *s)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		free(s->nodes[i]);
	free(s->nodes);
	free(s->text);
	lab_mounts_free(&s->mounts);
	memset(s, 0, sizeof(*s));
}

/*
 * A whole state file of at most max bytes, if it is a regular file: opened
 * O_NONBLOCK and checked with fstat, so a planted FIFO is refused, not
 * waited on, and a directory or device too (-EBADMSG; -EFBIG past max).
 */
static int state_file_read(const char *path, size_t max, char **ret, size_t *ret_len)
{
	int r, fd = path_open_regular(path, O_NOFOLLOW, NULL);

	*ret = NULL;
	*ret_len = 0;
	if (fd < 0)
		return fd == -EINVAL ? -EBADMSG : fd;
	r = fd_read_all(fd, max, ret, ret_len);
	close(fd);
	return r;
}

/* The state's JSON object; ours is a few dozen bytes a node (STATE_FILE_MAX). */
static int state_parse_file(const char *path, struct json_object **ret)
{
	char *buf;
	size_t len;
	int r;

	*ret = NULL;
	r = state_file_read(path, STATE_FILE_MAX, &buf, &len);
	if (r == -EFBIG)
		r = -EBADMSG;
	if (r == 0) {
		*ret = json_tokener_parse(buf);
		if (!*ret || !json_object_is_type(*ret, json_type_object))
			r = -EBADMSG;
	}
	free(buf);
	return r;
}

static int state_take_text(struct json_object *v, struct lab_state *ret)
{
	if (!json_object_is_type(v, json_type_string))
		return 0;
	ret->text_len = (size_t)json_object_get_string_len(v);
	ret->text = malloc(ret->text_len + 1);
	if (!ret->text)
		return -ENOMEM;
	memcpy(ret->text, json_object_get_string(v), ret->text_len);
	ret->text[ret->text_len] = '\0';
	return 0;
}

/* Node names that are valid ones; others are not ours and are skipped. */
static int state_take_nodes(struct json_object *v, struct lab_state *ret)
{
	size_t cnt;

	if (!json_object_is_type(v, json_type_array))
		return 0;
	cnt = json_object_array_length(v);
	ret->nodes = calloc(cnt ? cnt : 1, sizeof(char *));
	if (!ret->nodes)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(v, i));

		if (!s || !topo_name_valid(s, TOPO_NODE_NAME_MAX))
			continue;
		ret->nodes[ret->n_nodes] = strdup(s);
		if (!ret->nodes[ret->n_nodes])
			return -ENOMEM;
		ret->n_nodes++;
	}
	return 0;
}

/* Mounts under a valid namespace name with a nonzero id; others are skipped. */
static int state_take_mounts(struct json_object *v, struct lab_state *ret)
{
	struct lab_mounts *m = &ret->mounts;

	if (!json_object_is_type(v, json_type_object))
		return 0;
	m->v = calloc((size_t)json_object_object_length(v) + 1, sizeof(*m->v));
	if (!m->v)
		return -ENOMEM;
	json_object_object_foreach(v, key, val)
	{
		uint64_t id = json_object_get_uint64(val);

		if (!json_object_is_type(val, json_type_int) || id == 0 || !ns_name_valid(key) ||
		    strncmp(key, LAB_NS_PREFIX, sizeof(LAB_NS_PREFIX) - 1) != 0)
			continue;
		snprintf(m->v[m->n].ns, sizeof(m->v[m->n].ns), "%s", key);
		m->v[m->n++].id = id;
	}
	return 0;
}

int state_read(const char *lab, struct lab_state *ret)
{
	char path[PATH_MAX];
	struct json_object *o = NULL, *v;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = state_path(lab, ".json", path, sizeof(path));
	if (r < 0)
		return r;
	r = state_parse_file(path, &o);
	if (r < 0)
		goto out;
	snprintf(ret->lab, sizeof(ret->lab), "%s", lab);
	if (json_object_object_get_ex(o, "file", &v))
		snprintf(ret->file, sizeof(ret->file), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "created", &v))
		ret->created = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "complete", &v))
		ret->complete = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "topology", &v))
		r = state_take_text(v, ret);
	if (r == 0 && json_object_object_get_ex(o, "nodes", &v))
		r = state_take_nodes(v, ret);
	if (r == 0 && json_object_object_get_ex(o, "mounts", &v))
		r = state_take_mounts(v, ret);
out:
	if (r < 0)
		state_clear(ret);
	json_object_put(o);
	return r;
}

int state_read_topology(const char *lab, struct lab_state *ret)
{
	char path[PATH_MAX];
	int r;

	if (ret->text)
		return 0;
	r = state_path(lab, STATE_TOPOLOGY, path, sizeof(path));
	return r < 0 ? r : state_file_read(path, TOPO_FILE_MAX, &ret->text, &ret->text_len);
}

int state_remove(const char *lab)
{
	static const char *const suffixes[] = {".json", ".json.tmp", STATE_TOPOLOGY,
					       STATE_TOPOLOGY ".tmp", ".lock"};
	char path[PATH_MAX];
	int r, removed = 0;

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		r = state_path(lab, suffixes[i], path, sizeof(path));
		if (r < 0)
			return r;
		/* The lock file is made by whoever calls us: it proves nothing. */
		if (unlink(path) == 0)
			removed |= strcmp(suffixes[i], ".lock") != 0;
		else if (errno != ENOENT)
			return -errno;
	}
	return removed;
}

int state_list(char ***ret_names, size_t *ret_n)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	int r = 0;

	*ret_names = NULL;
	*ret_n = 0;
	d = opendir(STATE_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **grown;

		if (len <= 5 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown) {
			r = -ENOMEM;
			break;
		}
		names = grown;
		names[n] = strndup(de->d_name, len - 5);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		if (!topo_name_valid(names[n], TOPO_LAB_NAME_MAX)) {
			free(names[n]);
			continue;
		}
		n++;
	}
	closedir(d);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return r;
	}
	*ret_names = names;
	*ret_n = n;
	return 0;
}
