// A stream's tag as a link to the live list of the streams with it (/?tag=...).
export function tagLink(tag) {
  const link = document.createElement('a');
  link.className = 'tag';
  link.href = `/?tag=${encodeURIComponent(tag)}`;
  link.textContent = `#${tag}`;
  return link;
}
