// The broadcast page's dashboard: how the stream is carried over the last two minutes
// (a uPlot chart of what this tab uploads, what the viewers relay among themselves and
// the stream's own rate), the stream's health as the viewers see it (rebuffering,
// stalls, latency), which quality levels the viewers play (viewers on each now, time
// played on each, switches), who carries it (the viewers by role and by layer, from the
// server's 'swarm' summary), what holds viewers back from relaying, and the share of
// the swarm's links that go through a TURN relay.
const HISTORY_S = 120;
const kbps = (bytesPerS) => Math.round((bytesPerS * 8) / 1000);
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const minutes = (ms) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`);

const ROLE_NAMES = { superSeed: 'Super-seeds', relay: 'Relays', leaf: 'Leaves' };
const LIMIT_WORDS = {
  cannotUpload: (n) => `${plural(n, 'viewer')} cannot upload`,
  metered: (n) => `${n} on a metered network`,
  batteryLow: (n) => `${n} on a low battery`,
  hidden: (n) => `${n} in a background tab`,
};

export class SwarmDashboard {
  #root;
  #plot = null;
  #history = [[], [], [], []];  // seconds since the epoch; upload, relayed, stream kbit/s

  // `root`: the dashboard's element, holding #carry-chart, #roles, #layers, #limited,
  // #renditions, #switches, #n-carried, #n-stream, #n-relayed, #n-rebuffering, #n-stalls
  // and #n-latency.
  // Without uPlot (its script failed to load) the numbers still show and the chart is
  // left out.
  constructor(root, uPlot = globalThis.uPlot) {
    this.#root = root;
    const chart = this.#find('carry-chart');
    if (!uPlot) {
      chart.hidden = true;
      return;
    }
    const css = getComputedStyle(document.documentElement);
    const colour = (name) => css.getPropertyValue(name).trim();
    const axis = { stroke: colour('--muted'), grid: { stroke: '#2a2c33' }, ticks: { stroke: '#2a2c33' } };
    this.#plot = new uPlot({
      width: chart.clientWidth || 300,
      height: 160,
      legend: { live: false },
      cursor: { show: false },
      scales: { y: { range: (u, min, max) => [0, Math.max(100, max * 1.1)] } },
      axes: [axis, { ...axis, size: 64 }],
      series: [
        {},
        { label: 'You upload', stroke: colour('--live'), width: 2, points: { show: false } },
        { label: 'Viewers relay', stroke: colour('--ok'), width: 2, points: { show: false } },
        { label: 'Stream', stroke: colour('--accent'), width: 1, dash: [4, 4], points: { show: false } },
      ],
    }, this.#history, chart);
    // Also sizes it when the dashboard first shows: built hidden, it had no width.
    new ResizeObserver(() => {
      if (chart.clientWidth > 0) this.#plot.setSize({ width: chart.clientWidth, height: 160 });
    }).observe(chart);
  }

  // Once a second with the Broadcaster's stats.
  update(stats, atMs = Date.now()) {
    const swarm = stats.swarm;
    this.#find('n-stream').textContent = `${kbps(stats.streamBytesPerS)} kbit/s`;
    this.#find('n-carried').textContent = swarm ? `${kbps(swarm.carriedBytesPerS)} kbit/s` : '–';
    this.#record(atMs / 1000, [kbps(stats.uploadBytesPerS), swarm ? kbps(swarm.carriedBytesPerS) : null, kbps(stats.streamBytesPerS)]);
    if (swarm) {
      this.#showSwarm(swarm);
      if (swarm.renditions) this.#showRenditions(swarm.renditions, stats.renditions ?? []);
    }
  }

  #record(atS, values) {
    const history = this.#history;
    history[0].push(atS);
    values.forEach((value, i) => history[i + 1].push(value));
    while (history[0][0] < atS - HISTORY_S) history.forEach((series) => series.shift());
    this.#plot?.setData(history);
  }

  #showHealth({ reporting, watchedMs, stalledMs, stalls, latencyP50Ms, latencyMaxMs }) {
    const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
    this.#find('n-rebuffering').textContent = reporting && watchedMs > 0 ? `${((100 * stalledMs) / watchedMs).toFixed(2)} %` : '–';
    this.#find('n-stalls').textContent = reporting ? String(stalls) : '–';
    this.#find('n-latency').textContent = latencyP50Ms === undefined ? '–' : `${seconds(latencyP50Ms)} / ${seconds(latencyMaxMs)}`;
  }

  // Viewers on each rendition now and the time played on each, named by the
  // broadcaster's own ladder ("360p"); the switches the viewers made.
  #showRenditions({ reporting, byId, switchesUp, switchesDown }, ladder) {
    const nameOf = (id) => {
      const height = ladder.find((rendition) => rendition.id === id)?.height;
      return height ? `${height}p` : `rendition ${id}`;
    };
    const most = Math.max(1, ...byId.map((rendition) => rendition.viewers));
    this.#find('renditions').replaceChildren(...byId.map(({ id, viewers, playedMs }) => {
      const item = document.createElement('li');
      item.dataset.rendition = String(id);
      const bar = document.createElement('span');
      bar.className = 'layer-bar';
      bar.style.width = `${(100 * viewers) / most}%`;
      item.append(`${nameOf(id)}: ${plural(viewers, 'viewer')} · ${minutes(playedMs)} played`, bar);
      return item;
    }));
    this.#find('switches').textContent = reporting
      ? `Switches of quality: ${switchesDown} down, ${switchesUp} up.`
      : 'No viewer has reported its quality yet.';
  }

  #showSwarm({ viewers, roles, layers, unplaced, limited, links, health }) {
    this.#showHealth(health);
    // Each link is reported by both of its ends: the share is the same counted once.
    this.#find('n-relayed').textContent = links.open ? `${Math.round((100 * links.relayed) / links.open)} %` : '–';
    const rolesBar = this.#find('roles');
    rolesBar.replaceChildren(...Object.entries(ROLE_NAMES).map(([role, name]) => {
      const part = document.createElement('span');
      part.className = `role ${role}`;
      part.style.flexGrow = String(roles[role]);
      part.hidden = roles[role] === 0;
      part.textContent = `${name} ${roles[role]}`;
      return part;
    }));
    rolesBar.title = viewers ? '' : 'No viewers yet';
    const deepest = Math.max(...layers);
    const rows = layers.map((count, i) => ({ name: i === layers.length - 1 ? `${i + 1}+ hops` : plural(i + 1, 'hop'), count }));
    if (unplaced) rows.push({ name: 'joining', count: unplaced });
    this.#find('layers').replaceChildren(...rows.filter((row) => row.count > 0).map(({ name, count }) => {
      const item = document.createElement('li');
      const bar = document.createElement('span');
      bar.className = 'layer-bar';
      bar.style.width = `${(100 * count) / Math.max(deepest, unplaced, 1)}%`;
      item.append(`${name}: ${count}`, bar);
      return item;
    }));
    const holdingBack = Object.entries(limited).filter(([, n]) => n > 0).map(([key, n]) => LIMIT_WORDS[key](n));
    this.#find('limited').textContent = holdingBack.length ? holdingBack.join(' · ') : 'Every viewer can relay.';
  }

  #find(id) {
    return this.#root.querySelector(`#${id}`);
  }
}
