/**
 * The page's inline script: the filter functions of filter.ts (pasted as
 * source text) and the DOM glue below. The glue is a plain string, since
 * the project compiles without DOM types; it only enhances a page that is
 * readable without it (verdict counts, the table, permalinks and the
 * requirement appendix are plain HTML).
 *
 * What it does: runs the filter box and the verdict chips (the chips edit
 * the box's `verdict:` word, so the box is the whole state) and mirrors the
 * filter in the URL (`#q=…`, also read from `?q=…`); adds sort buttons to
 * the column heads and keeps `aria-sort`; gives requirement links their
 * sentence as a tooltip (read from the appendix); opens a result's details in the
 * side panel on click or Enter; follows `#case-<id>` (shows the row, even
 * when filtered out, and opens its most telling result) and `#req-<id>`
 * (unfolds the appendix entry).
 */
import { filterScript } from "./filter.ts";

const GLUE = `
(()=>{
const F=SPFilter;
const $=(id)=>document.getElementById(id);
document.documentElement.classList.add("js");
const facts=JSON.parse($("facts").textContent);
const table=document.querySelector("table.matrix");
const tbody=table.tBodies[0];
const rows=[...tbody.rows];
const box=$("filter"),shown=$("shown"),ferr=$("ferr");
const chips=[...document.querySelectorAll("button.chip[data-v]")];

function apply(){
  const f=F.parse(box.value);
  let n=0;
  for(const r of rows){const ok=F.match(f,facts[Number(r.dataset.i)]);r.hidden=!ok;if(ok)n++;}
  shown.textContent=String(n);
  const sel=F.selected(box.value);
  for(const c of chips)c.setAttribute("aria-pressed",String(sel.includes(c.dataset.v)));
  ferr.textContent=f.errors.join("; ");
  ferr.hidden=f.errors.length===0;
}
let urlTimer=0;
function writeUrl(){
  clearTimeout(urlTimer);
  urlTimer=setTimeout(()=>{
    const q=box.value.trim();
    const hash=q?"#q="+encodeURIComponent(q):"";
    try{
      const u=new URL(location.href);
      u.searchParams.delete("q");
      u.hash=hash;
      history.replaceState(null,"",u.href);
    }catch{
      try{history.replaceState(null,"",location.href.split("#")[0]+hash);}catch{}
    }
  },250);
}
box.addEventListener("input",()=>{apply();writeUrl();});
for(const c of chips)c.addEventListener("click",()=>{box.value=F.toggle(box.value,c.dataset.v);apply();writeUrl();});

const heads=[...table.tHead.rows[0].cells];
const collator=new Intl.Collator(undefined,{numeric:true,sensitivity:"base"});
function key(tr,col){const td=tr.cells[col];if(!td)return "";return td.dataset.s!==undefined?td.dataset.s:td.textContent.trim();}
function sortBy(th,col){
  const first=th.dataset.first||"ascending";
  const dir=th.getAttribute("aria-sort")===first?(first==="ascending"?"descending":"ascending"):first;
  for(const h of heads)h.removeAttribute("aria-sort");
  th.setAttribute("aria-sort",dir);
  const sign=dir==="ascending"?1:-1;
  const sorted=rows.slice().sort((a,b)=>{
    const x=key(a,col),y=key(b,col);
    const nx=Number(x),ny=Number(y);
    const c=x!==""&&y!==""&&!Number.isNaN(nx)&&!Number.isNaN(ny)?nx-ny:collator.compare(x,y);
    return c*sign||Number(a.dataset.i)-Number(b.dataset.i);
  });
  tbody.append(...sorted);
}
heads.forEach((th,col)=>{
  if(th.dataset.nosort!==undefined)return;
  const b=document.createElement("button");
  b.type="button";b.className="sort";b.title="sort by this column";
  b.append(...th.childNodes);
  th.append(b);
  b.addEventListener("click",()=>sortBy(th,col));
});

const panel=$("panel"),pbody=$("pbody");
let opener=null;
function openCell(td){
  const t=$(td.dataset.d);if(!t)return;
  pbody.replaceChildren(t.content.cloneNode(true));
  panel.hidden=false;
  for(const x of tbody.querySelectorAll("td.v.open"))x.classList.remove("open");
  td.classList.add("open");
  opener=td;
  $("close").focus({preventScroll:true});
}
function closePanel(){
  if(panel.hidden)return;
  panel.hidden=true;
  if(opener)opener.focus({preventScroll:true});
}
function cellOf(e){const td=e.target.closest("td.v");return td&&td.dataset.d?td:null;}
tbody.addEventListener("click",(e)=>{
  const a=e.target.closest("a");
  // A permalink to the case the address already names fires no hashchange: show it here.
  if(a){if(a.classList.contains("perm")&&a.hash===location.hash){e.preventDefault();showCase(decodeURIComponent(a.hash.slice(1)));}return;}
  const td=cellOf(e);if(td)openCell(td);
});
tbody.addEventListener("keydown",(e)=>{if(e.key!=="Enter"&&e.key!==" ")return;const td=cellOf(e);if(td){e.preventDefault();openCell(td);}});
$("close").addEventListener("click",closePanel);
document.addEventListener("keydown",(e)=>{
  if(e.key==="Escape")closePanel();
  else if(e.key==="/"&&!e.ctrlKey&&!e.metaKey&&!/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName??"")){e.preventDefault();box.focus();}
});

function showCase(anchor){
  const tr=$(anchor);
  if(!tr||tr.tagName!=="TR")return;
  if(tr.hidden){box.value="";apply();}
  const cells=[...tr.querySelectorAll("td.v[data-d]")];
  const pick=cells.find((c)=>c.classList.contains("unexpected"))||cells.find((c)=>!c.classList.contains("pass"))||cells[0];
  tr.scrollIntoView({block:"center"});
  if(pick)openCell(pick);
}
// Requirement links get their sentence as a tooltip from the appendix entry on first hover.
function tip(e){
  const a=e.target.closest?.("a.rq");
  if(!a||a.title)return;
  const row=$(decodeURIComponent(a.hash.slice(1)));
  const part=(sel)=>row?.querySelector(sel)?.textContent.trim()??"";
  a.title=row?part(".kw")+" — "+part(".rtext")+" ("+part(".sec")+")":"";
}
document.addEventListener("mouseover",tip);
document.addEventListener("focusin",tip);
function showReq(anchor){
  const el=$(anchor);
  if(!el)return;
  for(let p=el.parentElement;p;p=p.parentElement)if(p.tagName==="DETAILS")p.open=true;
  panel.hidden=true;
  el.scrollIntoView({block:"center"});
}
function fromUrl(initial){
  let h=location.hash.slice(1);
  try{h=decodeURIComponent(h);}catch{}
  if(h.startsWith("q=")){
    box.value=h.slice(2);apply();
    if(!initial)box.scrollIntoView({block:"nearest"});
    return;
  }
  if(initial){const q=new URLSearchParams(location.search).get("q");if(q!==null){box.value=q;apply();}}
  if(h.startsWith("case-"))showCase(h);
  else if(h.startsWith("req-"))showReq(h);
}
window.addEventListener("hashchange",()=>fromUrl(false));
apply();
fromUrl(true);
})();
`;

/** The complete inline script of the page. */
export function pageScript(): string {
  return `${filterScript("SPFilter")}\n${GLUE}`;
}
