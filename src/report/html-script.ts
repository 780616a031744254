/**
 * The report page's only script, inline. Everything on the page reads without it; it adds:
 * - zoom and pan of the picture through its viewBox: buttons (fit, +, −), Ctrl/⌘ + wheel or a
 *   trackpad pinch (plain wheel once the picture has focus), two-finger pinch, drag to pan, and
 *   the keys + − 0 and arrows on the focused picture;
 * - CPU ids shown only when the zoom makes them big enough to read;
 * - an instant tooltip for CPUs, devices and memory segments (the SVG `<title>` texts, moved into
 *   it so that the browser's slow native tooltip does not show a second copy);
 * - hovering a pod's rows outlines its CPUs and devices;
 * - the search box filters the tables and dims every cell it does not match; clicking a pod's
 *   cell searches for that pod;
 * - zoom, pan and search are kept for the browser tab across reloads (the agent's page reloads
 *   itself every few seconds).
 */
export const PAGE_SCRIPT = String.raw`
(function(){
"use strict";
var vp=document.getElementById("viewport");
var svg=vp?vp.querySelector("svg.podpin-machine"):null;
if(!svg)return;
var W=svg.viewBox.baseVal.width,H=svg.viewBox.baseVal.height;
var cell=+svg.getAttribute("data-cell"),idFont=+svg.getAttribute("data-id-font");
var MAX_SCALE=8,ID_PX=6.5,CELL_PX=12;
var view={x:0,y:0,w:W,h:H};
// Zoom and search survive a reload (the agent's page reloads itself) within the browser tab.
var KEY="podpin-view:"+location.pathname+":"+W+"x"+H,saved=null,query="";
try{saved=JSON.parse(sessionStorage.getItem(KEY)||"null")}catch(e){saved=null}
if(saved&&saved.w>0&&saved.w<=W)view={x:+saved.x||0,y:+saved.y||0,w:saved.w,h:H*saved.w/W};
function save(){try{sessionStorage.setItem(KEY,JSON.stringify({x:view.x,y:view.y,w:view.w,q:query}))}catch(e){}}
var level=document.getElementById("zoom-level");
function clamp(v,a,b){return Math.max(a,Math.min(b,v))}
function scale(){var r=svg.getBoundingClientRect();return r.width/view.w}
function apply(){
  view.x=clamp(view.x,0,W-view.w);view.y=clamp(view.y,0,H-view.h);
  svg.setAttribute("viewBox",view.x+" "+view.y+" "+view.w+" "+view.h);
  var s=scale();
  if(level)level.textContent=Math.round(s*100)+"%";
  vp.classList.toggle("zoomed",view.w<W-1e-6);
  svg.classList.toggle("ids-off",!(idFont*s>=ID_PX&&cell*s>=CELL_PX));
  save();
}
function toUser(cx,cy){var r=svg.getBoundingClientRect();return{x:view.x+(cx-r.left)/r.width*view.w,y:view.y+(cy-r.top)/r.height*view.h}}
function zoomAt(f,p){
  var minW=Math.min(W,svg.getBoundingClientRect().width/MAX_SCALE);
  var w=clamp(view.w/f,minW,W);if(Math.abs(w-view.w)<1e-9)return false;
  var k=w/view.w;view.x=p.x-(p.x-view.x)*k;view.y=p.y-(p.y-view.y)*k;view.w=w;view.h=H*w/W;apply();return true;
}
function centre(){return{x:view.x+view.w/2,y:view.y+view.h/2}}
function fit(){view={x:0,y:0,w:W,h:H};apply()}
function pan(fx,fy){view.x+=view.w*fx;view.y+=view.h*fy;apply()}
document.querySelectorAll("[data-zoom]").forEach(function(b){b.addEventListener("click",function(){
  var a=b.getAttribute("data-zoom");if(a==="in")zoomAt(1.5,centre());else if(a==="out")zoomAt(1/1.5,centre());else fit();
})});
var hint=document.getElementById("wheel-hint"),hintTimer=0;
vp.addEventListener("wheel",function(e){
  if(!(e.ctrlKey||e.metaKey||document.activeElement===vp)){
    if(hint){hint.classList.add("on");clearTimeout(hintTimer);hintTimer=setTimeout(function(){hint.classList.remove("on")},1400)}
    return;
  }
  var d=e.deltaY*(e.deltaMode===1?16:e.deltaMode===2?400:1);
  if(zoomAt(Math.exp(-d*0.0025),toUser(e.clientX,e.clientY))||e.ctrlKey||e.metaKey)e.preventDefault();
},{passive:false});
var pts=new Map(),drag=null,pinch=null,downAt=null,moved=false;
function dist(a,b){return Math.hypot(a.x-b.x,a.y-b.y)||1}
vp.addEventListener("pointerdown",function(e){
  if(e.pointerType==="mouse"&&e.button!==0)return;
  pts.set(e.pointerId,{x:e.clientX,y:e.clientY});
  if(pts.size===1){drag={x:e.clientX,y:e.clientY,vx:view.x,vy:view.y};downAt=e.target;moved=false}
  else if(pts.size===2){var a=Array.from(pts.values());pinch={d:dist(a[0],a[1]),w:view.w};drag=null;moved=true}
});
vp.addEventListener("pointermove",function(e){
  if(!pts.has(e.pointerId))return;
  pts.set(e.pointerId,{x:e.clientX,y:e.clientY});
  if(pinch&&pts.size===2){
    var a=Array.from(pts.values());
    zoomAt(view.w/(pinch.w*pinch.d/dist(a[0],a[1])),toUser((a[0].x+a[1].x)/2,(a[0].y+a[1].y)/2));
  }else if(drag){
    var dx=e.clientX-drag.x,dy=e.clientY-drag.y;
    if(!moved&&Math.abs(dx)+Math.abs(dy)>4){moved=true;vp.classList.add("dragging");vp.setPointerCapture(e.pointerId);hideTip()}
    if(moved){var s=scale();view.x=drag.vx-dx/s;view.y=drag.vy-dy/s;apply()}
  }
});
function up(e){
  if(!pts.has(e.pointerId))return;
  pts.delete(e.pointerId);if(pts.size<2)pinch=null;
  if(pts.size===0){vp.classList.remove("dragging");if(drag&&!moved&&e.type==="pointerup")pick(downAt);drag=null;moved=false}
}
vp.addEventListener("pointerup",up);vp.addEventListener("pointercancel",up);
vp.addEventListener("keydown",function(e){
  var k=e.key;
  if(k==="+"||k==="=")zoomAt(1.5,centre());else if(k==="-"||k==="_")zoomAt(1/1.5,centre());else if(k==="0")fit();
  else if(k==="ArrowLeft")pan(-0.1,0);else if(k==="ArrowRight")pan(0.1,0);else if(k==="ArrowUp")pan(0,-0.1);else if(k==="ArrowDown")pan(0,0.1);
  else return;
  e.preventDefault();
});
if(window.ResizeObserver)new ResizeObserver(apply).observe(vp);else window.addEventListener("resize",apply);
apply();

var tip=document.getElementById("tip");
var TIP_SEL=".cpu,.device,.mem-seg";
function tipTarget(t){var el=t&&t.closest?t.closest(TIP_SEL):null;return el&&svg.contains(el)?el:null}
function tipText(el){
  var t=el.getAttribute("data-tip");
  if(t===null){var title=el.querySelector(":scope>title");t=title?title.textContent:"";if(title)title.remove();el.setAttribute("data-tip",t);el.setAttribute("aria-label",t)}
  return t;
}
function hideTip(){if(tip)tip.style.display="none"}
document.addEventListener("pointermove",function(e){
  if(!tip)return;
  var el=moved?null:tipTarget(e.target);
  if(!el){hideTip();return}
  tip.textContent=tipText(el);tip.style.display="block";
  var w=tip.offsetWidth,h=tip.offsetHeight,x=e.clientX+14,y=e.clientY+16;
  if(x+w>window.innerWidth-4)x=Math.max(4,e.clientX-w-14);
  if(y+h>window.innerHeight-4)y=Math.max(4,e.clientY-h-16);
  tip.style.left=x+"px";tip.style.top=y+"px";
});
document.addEventListener("pointerleave",hideTip);

var index=null;
function cellsOf(uid){
  if(!index){index=new Map();svg.querySelectorAll("[data-pod]").forEach(function(el){var u=el.getAttribute("data-pod");var l=index.get(u);if(!l)index.set(u,l=[]);l.push(el)})}
  return index.get(uid)||[];
}
var lit=[],litPod=null;
document.addEventListener("mouseover",function(e){
  var row=e.target&&e.target.closest?e.target.closest("tr[data-pod]"):null;
  var uid=row?row.getAttribute("data-pod"):null;
  if(uid===litPod)return;
  lit.forEach(function(c){c.classList.remove("hl")});lit=[];litPod=uid;
  if(uid===null)return;
  lit=cellsOf(uid).filter(function(c){return c.classList.contains("cpu")||c.classList.contains("device")});
  lit.forEach(function(c){c.classList.add("hl")});
});

var input=document.getElementById("find"),found=document.getElementById("found");
var table=document.getElementById("pods-table");
if(!input||!table)return;
var groups=[];
table.querySelectorAll("tbody tr").forEach(function(tr){
  if(tr.classList.contains("pod"))groups.push({row:tr,uid:tr.getAttribute("data-pod"),containers:[]});
  else if(tr.classList.contains("container")&&groups.length)groups[groups.length-1].containers.push(tr);
});
var shownAtRest=+table.getAttribute("data-shown")||Infinity,moreRow=document.getElementById("pods-more");
var otherRows=Array.from(document.querySelectorAll("tr[data-pod]")).filter(function(tr){return !table.contains(tr)});
function ranges(s){return s?s.split(",").map(function(p){var r=p.split("-");return[+r[0],+(r.length>1?r[1]:r[0])]}):[]}
function inList(tr,id){return ranges(tr.getAttribute("data-cpus")).some(function(r){return id>=r[0]&&id<=r[1]})}
function hits(tr,q){return(tr.getAttribute("data-find")||"").indexOf(q)>=0}
var marked=[];
function mark(el){el.classList.add("found");marked.push(el)}
function search(){
  var q=input.value.trim().toLowerCase();
  query=input.value;save();
  marked.forEach(function(el){el.classList.remove("found")});marked=[];
  var total=groups.length,shown=new Set();
  if(moreRow)moreRow.classList.toggle("hidden",q!=="");
  if(q===""){
    groups.forEach(function(g,i){var h=i>=shownAtRest;g.row.classList.toggle("hidden",h);g.containers.forEach(function(c){c.classList.toggle("hidden",h)})});
    otherRows.forEach(function(r){r.classList.remove("hidden")});
    svg.classList.remove("finding");found.textContent=total+(total===1?" pod":" pods");return;
  }
  var cpu=/^\d+$/.test(q)?+q:null;
  if(cpu!==null){var c=document.getElementById("cpu-"+cpu);if(c)mark(c)}
  groups.forEach(function(g){
    var byName=hits(g.row,q),byCpu=cpu!==null&&inList(g.row,cpu);
    var names=g.containers.filter(function(c){return hits(c,q)||(cpu!==null&&inList(c,cpu))});
    var show=byName||byCpu||names.length>0;
    g.row.classList.toggle("hidden",!show);
    g.containers.forEach(function(c){c.classList.toggle("hidden",!(show&&(byName||names.indexOf(c)>=0||(byCpu&&names.length===0))))});
    if(!show)return;
    shown.add(g.uid);
    if(byName){cellsOf(g.uid).forEach(mark);return}
    var wanted=g.containers.filter(function(c){return hits(c,q)}).map(function(c){return c.getAttribute("data-container")});
    if(wanted.length===0)return;
    cellsOf(g.uid).forEach(function(el){
      var own=[el.getAttribute("data-container")].concat((el.getAttribute("data-containers")||"").split(","));
      if(own.some(function(n){return n&&wanted.indexOf(n)>=0}))mark(el);
    });
  });
  otherRows.forEach(function(r){r.classList.toggle("hidden",!shown.has(r.getAttribute("data-pod")))});
  svg.classList.add("finding");
  found.textContent=shown.size+" of "+total+(total===1?" pod":" pods");
}
input.addEventListener("input",search);
if(saved&&saved.q){input.value=saved.q;search()}
input.addEventListener("keydown",function(e){if(e.key==="Escape"){input.value="";search()}});
function pick(t){
  var el=tipTarget(t);var uid=el?el.getAttribute("data-pod"):null;if(uid===null)return;
  var g=groups.filter(function(x){return x.uid===uid})[0];if(!g)return;
  var name=g.row.querySelector("td.name");input.value=name?name.textContent.trim():uid;search();
  var box=table.parentElement;if(box&&box.scrollHeight>box.clientHeight)box.scrollTop=g.row.offsetTop-box.clientHeight/3;
}
})();
`;
