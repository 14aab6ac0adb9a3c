# seqlab — build, test and install.
#
#   make run      install missing packages, build, launch the TUI
#   make test     install missing packages, build, run every test
#   make asan     the whole test suite under AddressSanitizer + UBSan
#   make bench    benchmarks (not part of `make test`)
#
# The top-level targets `run`, `test`, `asan` first run `deps`, then call
# this Makefile again, so that flags found through pkg-config (which `deps`
# may have just installed) are read by a fresh make.

PREFIX     ?= /usr/local
BUILD      ?= build
CC         ?= cc
PKG_CONFIG ?= pkg-config
VERSION    := 0.1.0

# Debian packages the build needs.  `make deps` checks them with dpkg-query
# (no pkg-config needed) and installs what is missing.
DEB_PACKAGES := pkg-config liblua5.4-dev libopenblas-dev libncurses-dev \
                libreadline-dev libcmocka-dev

PC_MODULES := lua5.4 ncursesw readline openblas
HAVE_PC    := $(shell command -v $(PKG_CONFIG) 2>/dev/null)
ifneq ($(HAVE_PC),)
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PC_MODULES) 2>/dev/null)
DEP_LIBS   := $(shell $(PKG_CONFIG) --libs $(PC_MODULES) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
endif
# Fallbacks: Debian's paths, used when pkg-config is absent or a module's
# .pc file is missing.
ifeq ($(strip $(DEP_LIBS)),)
DEP_CFLAGS := -I/usr/include/lua5.4 \
              -I/usr/include/x86_64-linux-gnu/openblas-pthread \
              -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600
DEP_LIBS   := -llua5.4 -lncursesw -ltinfo -lreadline -lopenblas
endif
ifeq ($(strip $(CMOCKA_LIBS)),)
CMOCKA_LIBS := -lcmocka
endif

OPT      ?= -O2
WARN     := -Wall -Wextra -Wshadow -Wno-unused-parameter
ifdef WERROR
WARN     += -Werror
endif
SANFLAGS :=
ifdef SAN
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
OPT      := -O1 -g
endif
CFLAGS   ?=
CPPFLAGS := -Iengine/include -Iapp -DSEQLAB_VERSION='"$(VERSION)"'
ALL_CFLAGS := -std=c11 $(OPT) $(WARN) $(SANFLAGS) -MMD -MP $(CFLAGS) \
              $(DEP_CFLAGS)
LDLIBS   := $(DEP_LIBS) -lm -lpthread

ENGINE_SRC := $(sort $(wildcard engine/src/*.c))
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/%.o)
ENGINE_LIB := $(BUILD)/libseqengine.a

APP_SRC := $(sort $(wildcard app/*.c app/*/*.c))
APP_OBJ := $(APP_SRC:%.c=$(BUILD)/%.o)

TEST_ENGINE_SRC := $(sort $(wildcard tests/engine/test_*.c))
TEST_ENGINE_BIN := $(TEST_ENGINE_SRC:tests/engine/%.c=$(BUILD)/tests/%)
TEST_SUPPORT_SRC := $(sort $(filter-out $(TEST_ENGINE_SRC), \
                    $(wildcard tests/engine/*.c)))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(BUILD)/%.o)

.PHONY: all run test asan bench deps clean install uninstall format \
        build-tests test-run help
.DEFAULT_GOAL := all

all: $(BUILD)/seqlab
ifeq ($(BUILD),build)
	@ln -sf $(BUILD)/seqlab seqlab
endif

$(BUILD)/seqlab: $(APP_OBJ) $(ENGINE_LIB)
	$(CC) $(SANFLAGS) -o $@ $(APP_OBJ) $(ENGINE_LIB) $(LDLIBS)

$(ENGINE_LIB): $(ENGINE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/engine/test_%.o $(TEST_SUPPORT_OBJ) \
                       $(ENGINE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(ENGINE_LIB) \
	    $(CMOCKA_LIBS) $(LDLIBS)

build-tests: all $(TEST_ENGINE_BIN)

# Runs every test binary and prints the one summary line CI reads.
test-run: build-tests
	@SEQLAB_BIN=$(BUILD)/seqlab sh tests/run.sh $(TEST_ENGINE_BIN)

run: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/seqlab

test: deps
	@$(MAKE) --no-print-directory test-run

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 test-run

bench: deps
	@$(MAKE) --no-print-directory all
	@echo "bench: no benchmarks are defined yet"

# Installs the Debian packages above when something is missing: with
# apt-get when running as root, otherwise prints the command to run.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "deps: missing:$$missing (install them with your package manager)"; \
	  exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  (apt-get update -qq || true) && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	  echo "deps: missing packages. Run:"; \
	  echo "  sudo apt-get install$$missing"; \
	  exit 1; \
	fi

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/seqlab $(DESTDIR)$(PREFIX)/bin/seqlab

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/seqlab

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build seqlab

help:
	@sed -n '2,8p' Makefile | sed 's/^# \{0,1\}//'

-include $(ENGINE_OBJ:.o=.d) $(APP_OBJ:.o=.d) \
         $(TEST_ENGINE_BIN:$(BUILD)/tests/%=$(BUILD)/tests/engine/%.d) \
         $(TEST_SUPPORT_OBJ:.o=.d)
