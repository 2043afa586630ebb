"""The optional C kernels (src/partnerfit/_kernels.c). Everything else is in pyproject.toml.

optional=True: where no C compiler is at hand, the install goes on without them and
partnerfit.scoring does the same work with numpy.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    def build_extensions(self):
        if self.compiler.compiler_type == "unix":  # gcc, clang
            # Floating-point compares may then be done as selects (vectorised): only the
            # floating-point exception flags, which Python never reads, differ.
            for extension in self.extensions:
                extension.extra_compile_args.append("-fno-trapping-math")
        super().build_extensions()


setup(
    ext_modules=[Extension("partnerfit._kernels", ["src/partnerfit/_kernels.c"], optional=True)],
    cmdclass={"build_ext": BuildExt},
)
