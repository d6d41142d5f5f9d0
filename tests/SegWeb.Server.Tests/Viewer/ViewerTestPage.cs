namespace SegWeb.Server.Tests.Viewer;

/// <summary>
/// The plain page the browser tests load: it imports /dist/viewer.js as a page would, creates the viewer from the
/// query (volume, labels, table = JSON labels) and offers pixel helpers that read the views' canvases.
/// </summary>
public static class ViewerTestPage
{
    public const string Html = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>viewer test</title><link rel="icon" href="data:,">
        <style>body { margin: 0; background: #222; } #viewer { width: 1200px; height: 420px; }</style></head>
        <body><div id="viewer"></div>
        <script type="module">
        const q = new URLSearchParams(location.search);
        function canvasOf(view) { return document.querySelector(`.segweb-viewport-${view} canvas`); }
        // Pixels of a view's canvas in CSS pixels (the tests run at device pixel ratio 1).
        window.pixelAt = (view, x, y) => Array.from(canvasOf(view).getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data);
        window.canvasSize = (view) => { const c = canvasOf(view); return [c.width, c.height]; };
        // Where a colour shows in a view: how many pixels within tol of it, and their centroid.
        window.colourCentroid = (view, rgb, tol) => {
          const c = canvasOf(view); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0, sx = 0, sy = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (Math.abs(d[i] - rgb[0]) <= tol && Math.abs(d[i + 1] - rgb[1]) <= tol && Math.abs(d[i + 2] - rgb[2]) <= tol) {
              const p = i / 4; n++; sx += p % c.width; sy += Math.floor(p / c.width);
            }
          }
          return n === 0 ? [0, -1, -1] : [n, sx / n, sy / n];
        };
        window.canvasChecksum = (view) => {
          const c = canvasOf(view); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i] * 3 + d[i + 1] * 5 + d[i + 2] * 7; return s;
        };
        window.nextFrames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
        try {
          const { createViewer } = await import('/dist/viewer.js');
          window.viewer = await createViewer(document.getElementById('viewer'), {
            volumeUrl: q.get('volume'), labelMapUrl: q.get('labels'), labels: window.viewerTable ?? [],
            overlayOpacity: Number(q.get('opacity') ?? '1'),
          });
          window.viewerState = 'loaded';
        } catch (e) {
          window.viewerState = 'error: ' + (e && e.message ? e.message : e);
        }
        </script></body></html>
        """;
}
