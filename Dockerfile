# SegWeb on Debian 12 (bookworm). Build: docker build -t segweb .
# The image carries the CLI today; the web server replaces the entry point when it lands.
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
WORKDIR /src
COPY . .
# For the build machine's runtime, so the command is ReadyToRun-precompiled (see SegWeb.Cli.csproj).
RUN rid=linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/') \
 && dotnet publish src/SegWeb.Cli/SegWeb.Cli.csproj -c Release -r "$rid" --self-contained false -o /app --nologo

FROM mcr.microsoft.com/dotnet/runtime:10.0-bookworm-slim
# GDCM's C# binding decodes compressed DICOM (JPEG family, JPEG-LS, JPEG 2000).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libgdcm-cil \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
COPY deploy/example /app/example
ENTRYPOINT ["dotnet", "/app/segweb.dll"]
CMD ["--help"]
